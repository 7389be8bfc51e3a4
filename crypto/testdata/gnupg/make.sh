#!/usr/bin/env bash
# Makes the GnuPG key fixtures in this folder with GnuPG 2.2 (2.2.40 made
# the committed ones). Run from this folder: bash make.sh
set -euo pipefail
GNUPGHOME=$(mktemp -d /tmp/gpgXXXXXX)
export GNUPGHOME
trap 'gpgconf --kill gpg-agent; rm -rf "$GNUPGHOME"' EXIT
gpg=(gpg --batch --quiet --pinentry-mode loopback --passphrase '')

fpr() { gpg --batch --with-colons --list-keys "$1" | awk -F: '/^fpr/ {print $10; exit}'; }

# ed25519 primary key with a cv25519 encryption subkey: GnuPG 2.2's default.
"${gpg[@]}" --quick-gen-key 'Test GnuPG <ed25519@example.org>' ed25519 sign never
"${gpg[@]}" --quick-add-key "$(fpr ed25519@example.org)" cv25519 encr never
gpg --armor --export ed25519@example.org >ed25519.pub.asc

# RSA 3072 with an RSA encryption subkey.
"${gpg[@]}" --quick-gen-key 'Test GnuPG <rsa@example.org>' rsa3072 sign never
"${gpg[@]}" --quick-add-key "$(fpr rsa@example.org)" rsa3072 encr never
gpg --armor --export rsa@example.org >rsa3072.pub.asc

# Sign-only: no encryption subkey.
"${gpg[@]}" --quick-gen-key 'Test GnuPG <signonly@example.org>' ed25519 sign never
gpg --armor --export signonly@example.org >signonly.pub.asc

# Expired: made in 2020 with a lifetime of one day.
"${gpg[@]}" --faked-system-time 20200101T000000! --quick-gen-key 'Test GnuPG <expired@example.org>' ed25519 default 1d
"${gpg[@]}" --faked-system-time 20200101T000000! --quick-add-key "$(fpr expired@example.org)" cv25519 encr 1d
gpg --armor --export expired@example.org >expired.pub.asc

# Revoked: import the revocation certificate GnuPG made with the key.
"${gpg[@]}" --quick-gen-key 'Test GnuPG <revoked@example.org>' ed25519 sign never
"${gpg[@]}" --quick-add-key "$(fpr revoked@example.org)" cv25519 encr never
f=$(fpr revoked@example.org)
sed 's/^://' "$GNUPGHOME/openpgp-revocs.d/$f.rev" | gpg --batch --quiet --import
gpg --armor --export revoked@example.org >revoked.pub.asc

# Expired encryption subkey under a valid primary key, both made in 2020.
"${gpg[@]}" --faked-system-time 20200101T000000! --quick-gen-key 'Test GnuPG <oldsub@example.org>' ed25519 sign never
"${gpg[@]}" --faked-system-time 20200101T000000! --quick-add-key "$(fpr oldsub@example.org)" cv25519 encr 1d
gpg --armor --export oldsub@example.org >expired-subkey.pub.asc

# A secret key, to check that ParsePublicKey refuses it.
gpg --batch --pinentry-mode loopback --passphrase '' --armor --export-secret-keys ed25519@example.org >ed25519.sec.asc
