// Package awards computes whistleblower award estimates from program rules
// kept as data.
//
// # Programs
//
// Each award program (SEC, CFTC, IRS, FinCEN, the DOJ corporate pilot, the
// False Claims Act and the two proposed BIS export-control programs) is one
// JSON file in programs/, embedded in the binary and validated when the
// package loads. A file holds the threshold and what it is measured on, the
// kinds of money that count and those that do not (each with the reason), the
// award bands and brackets, presumptions, claimant splits, deadlines and
// disqualifiers, every figure with the statute, rule or bill section it comes
// from and the day the file was last checked against them. Correcting a
// figure or adding a program is a change to a data file plus a test.
//
// # Estimates
//
// [Estimate] applies one program to the sanctions of the covered action and
// any related actions: it tests the threshold, sums the award base from the
// amounts collected that count, applies the band or brackets, splits the
// range among claimants, lists the money left out and why, and computes the
// deadlines that follow from the dates given. Money is integer cents
// throughout ([Cents]); percentages are basis points, and every product is
// rounded down to the cent without overflow.
package awards
