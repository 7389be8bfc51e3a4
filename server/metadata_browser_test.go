package server

import (
	"archive/zip"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"

	"github.com/tipline/tipline/intake"
	"github.com/tipline/tipline/internal/testenv"
)

// The identifying metadata the tests write into photos with exiftool.
const (
	metadataSerial = "SN-4711-0815"
	metadataArtist = "Li Wei"
)

// exiftoolArgs tag a photo as a phone would: where it was taken, the
// camera and its serial number, the owner, and an upright orientation.
var exiftoolArgs = []string{
	"-Make=Huawei", "-Model=P60 Pro", "-SerialNumber=" + metadataSerial, "-Artist=" + metadataArtist,
	"-Software=HarmonyOS 4.0", "-DateTimeOriginal=2024:03:15 10:22:01",
	"-GPSLatitude=31.2304", "-GPSLatitudeRef=N", "-GPSLongitude=121.4737", "-GPSLongitudeRef=E",
	"-XMP-dc:Creator=" + metadataArtist,
}

// identifyingTags are the tags (exiftool names) none of which may reach
// investigators when the source lets the page remove metadata.
var identifyingTags = []string{"GPSLatitude", "GPSLongitude", "GPSPosition", "SerialNumber", "Make", "Model", "Artist", "Creator", "Software", "DateTimeOriginal"}

// requireExiftool skips the test without exiftool, or fails it under
// `make test`, which installs it.
func requireExiftool(t *testing.T) {
	t.Helper()
	if _, err := exec.LookPath("exiftool"); err != nil {
		if testenv.Required() {
			t.Fatal("exiftool is not installed: run the tests with `make test`")
		}
		t.Skip("exiftool is not installed (Debian: libimage-exiftool-perl); skipping")
	}
}

// exiftool runs exiftool with args and fails the test on an error.
func exiftool(t *testing.T, args ...string) []byte {
	t.Helper()
	out, err := exec.Command("exiftool", args...).CombinedOutput()
	if err != nil {
		t.Fatalf("exiftool %v: %v\n%s", args, err, out)
	}
	return out
}

// exifTags returns the tags exiftool reads in data, by name, values as numbers.
func exifTags(t *testing.T, data []byte, ext string) map[string]any {
	t.Helper()
	path := filepath.Join(t.TempDir(), "received"+ext)
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatal(err)
	}
	var tags []map[string]any
	if err := json.Unmarshal(exiftool(t, "-j", "-n", path), &tags); err != nil || len(tags) != 1 {
		t.Fatalf("exiftool -j: %v", err)
	}
	return tags[0]
}

// gradient is a small picture for the test photos.
func gradient() image.Image {
	img := image.NewRGBA(image.Rect(0, 0, 64, 48))
	for y := range 48 {
		for x := range 64 {
			img.Set(x, y, color.RGBA{uint8(x * 4), uint8(y * 5), 128, 255})
		}
	}
	return img
}

// webpFromChromium has Chromium encode the picture as WebP: Go's image
// packages cannot write one.
func webpFromChromium(t *testing.T, browser context.Context) []byte {
	t.Helper()
	ctx, cancel := chromedp.NewContext(browser)
	defer cancel()
	encoded, err := chromedp.Run(ctx, chromedp.Evaluate[string](`(() => {
		const c = document.createElement("canvas");
		c.width = 64; c.height = 48;
		const g = c.getContext("2d");
		g.fillStyle = "#3a7"; g.fillRect(0, 0, 64, 48);
		g.fillStyle = "#a33"; g.fillRect(8, 8, 24, 16);
		return c.toDataURL("image/webp").split(",")[1];
	})()`))
	if err != nil {
		t.Fatal(err)
	}
	data, err := base64.StdEncoding.DecodeString(encoded)
	if err != nil || !bytes.HasPrefix(data[8:], []byte("WEBP")) {
		t.Fatalf("Chromium made no WebP (%v)", err)
	}
	return data
}

// decodesInChromium reports the size of the picture when Chromium decodes it.
func decodesInChromium(t *testing.T, browser context.Context, data []byte, mime string) string {
	t.Helper()
	ctx, cancel := chromedp.NewContext(browser)
	defer cancel()
	size, err := chromedp.Run(ctx, chromedp.Evaluate[string](`(async () => {
		const bytes = Uint8Array.from(atob("`+base64.StdEncoding.EncodeToString(data)+`"), (c) => c.charCodeAt(0));
		const img = await createImageBitmap(new Blob([bytes], { type: "`+mime+`" }));
		return img.width + "x" + img.height;
	})()`, chromedp.EvalAwaitPromise))
	if err != nil {
		t.Fatalf("Chromium cannot decode the received %s: %v", mime, err)
	}
	return size
}

// writePhotos writes a JPEG, a PNG and a WebP tagged by exiftool and
// returns their paths by extension.
func writePhotos(t *testing.T, browser context.Context) map[string]string {
	t.Helper()
	dir := t.TempDir()
	var jpg, pngData bytes.Buffer
	if err := jpeg.Encode(&jpg, gradient(), nil); err != nil {
		t.Fatal(err)
	}
	if err := png.Encode(&pngData, gradient()); err != nil {
		t.Fatal(err)
	}
	photos := map[string]string{}
	for ext, data := range map[string][]byte{".jpg": jpg.Bytes(), ".png": pngData.Bytes(), ".webp": webpFromChromium(t, browser)} {
		path := filepath.Join(dir, "照片"+ext)
		if err := os.WriteFile(path, data, 0o600); err != nil {
			t.Fatal(err)
		}
		args := append([]string{"-q", "-overwrite_original"}, exiftoolArgs...)
		if ext == ".jpg" {
			args = append(args, "-Orientation#=6") // rotated, as phones store portrait photos
		}
		exiftool(t, append(args, path)...)
		tags := exifTags(t, mustRead(t, path), ext)
		if tags["SerialNumber"] != metadataSerial || tags["GPSLatitude"] == nil {
			t.Fatalf("exiftool did not tag %s: %v", ext, tags)
		}
		photos[ext] = path
	}
	return photos
}

func mustRead(t *testing.T, path string) []byte {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

// noticeScreenshot saves a picture of the file field with the notice
// beside it.
func noticeScreenshot(t *testing.T, ctx context.Context, name string) {
	t.Helper()
	png, err := chromedp.Run(ctx, chromedp.Screenshot(chromedp.ID("q-evidence")))
	if err != nil {
		t.Fatalf("screenshot %s: %v", name, err)
	}
	path := filepath.Join(artifacts(t), name+".png")
	if err := os.WriteFile(path, png, 0o644); err != nil {
		t.Fatal(err)
	}
}

// metadataTab opens a tab at the given width on the desk form in lang,
// with the script in charge of the form.
func metadataTab(t *testing.T, browser context.Context, base, lang string, width int64) context.Context {
	t.Helper()
	ctx, cancel := chromedp.NewContext(browser)
	t.Cleanup(cancel)
	ctx, cancelTimeout := context.WithTimeout(ctx, browserTimeout)
	t.Cleanup(cancelTimeout)
	if _, err := chromedp.Call(ctx, emulation.SetDeviceMetricsOverride, emulation.SetDeviceMetricsOverrideParams{Width: width, Height: 900, DeviceScaleFactor: 1, Mobile: width < 500}); err != nil {
		t.Fatal(err)
	}
	if err := chromedp.Do(ctx,
		chromedp.Navigate(base+"/desk/export-controls?lang="+lang),
		chromedp.WaitVisible(chromedp.CSS(`form[data-encrypt="browser"]`)),
	); err != nil {
		t.Fatalf("the script did not take over the form: %v", err)
	}
	return ctx
}

// TestBrowserPhotoMetadata attaches photos that carry GPS and camera EXIF
// (written by exiftool) to the desk form with JavaScript on. The page must
// say what it found, in the page's language, and by default remove it
// before encryption: the investigator's decrypted copy has no location,
// camera or serial number left, keeps its orientation, and still decodes.
// A source who ticks "keep" sends the file unchanged.
func TestBrowserPhotoMetadata(t *testing.T) {
	requireExiftool(t)
	browser := newBrowser(t)
	photos := writePhotos(t, browser)

	tests := []struct {
		name  string
		ext   string
		mime  string
		lang  intake.Lang
		width int64
		keep  bool
	}{
		{"jpeg-removed", ".jpg", "image/jpeg", intake.EN, 1280, false},
		{"png-removed", ".png", "image/png", intake.ZH, 390, false},
		{"webp-removed", ".webp", "image/webp", intake.EN, 390, false},
		{"jpeg-kept", ".jpg", "image/jpeg", intake.ZH, 1280, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ts := newTestServer(t)
			g := addGPGKey(t, ts)
			base := serveTest(t, ts)
			original := mustRead(t, photos[tt.ext])
			ctx := metadataTab(t, browser, base, string(tt.lang), tt.width)
			if err := chromedp.Do(ctx,
				chromedp.SetValue(chromedp.ID("f-narrative"), "Photo of the relabelled crates."),
				chromedp.SetUploadFiles(chromedp.ID("f-evidence"), []string{photos[tt.ext]}),
				chromedp.WaitVisible(chromedp.CSS(`#js-metadata .metadata-file`)),
			); err != nil {
				t.Fatalf("no metadata notice: %v", err)
			}
			notice, err := chromedp.Run(ctx, chromedp.Text(chromedp.ID("js-metadata")))
			if err != nil {
				t.Fatal(err)
			}
			for _, want := range []string{
				intake.T(tt.lang, "metadata_heading"), intake.T(tt.lang, "metadata_gps"), "31.23040° N, 121.47370° E",
				intake.T(tt.lang, "metadata_camera"), "P60 Pro", intake.T(tt.lang, "metadata_serial"), metadataSerial,
				metadataArtist, intake.T(tt.lang, "metadata_will_remove"), intake.T(tt.lang, "metadata_keep"),
			} {
				if !strings.Contains(notice, want) {
					t.Errorf("the notice does not say %q:\n%s", want, notice)
				}
			}
			next, _ := chromedp.Run(ctx, chromedp.Evaluate[string](`document.getElementById("f-evidence").nextElementSibling.id`))
			if next != "js-metadata" {
				t.Errorf("the notice is not next to the file field (%q follows it)", next)
			}
			if tt.keep {
				if err := chromedp.Do(ctx, chromedp.Click(chromedp.CSS(`#js-metadata .metadata-keep input`))); err != nil {
					t.Fatal(err)
				}
			}
			noticeScreenshot(t, ctx, fmt.Sprintf("metadata-%s-%s-%d", tt.name, tt.lang, tt.width))
			if err := chromedp.Do(ctx, chromedp.Click(chromedp.CSS(`#tip > button[type=submit]`))); err != nil {
				t.Fatal(err)
			}
			if err := chromedp.Do(ctx, chromedp.WaitVisible(chromedp.CSS(`.codename span`))); err != nil {
				failure, _ := chromedp.Run(ctx, chromedp.Evaluate[string](`document.getElementById("js-failure-message")?.textContent ?? ""`))
				t.Fatalf("no codename: %v (page says %q)", err, failure)
			}

			m, plain := storedObjects(t, ts, g, "browser")
			if len(plain) != 1 {
				t.Fatalf("%d files stored", len(plain))
			}
			received := plain[0]
			sum := sha256.Sum256(received)
			if len(m.Files) != 1 || m.Files[0].Name != "照片"+tt.ext || m.Files[0].Size != int64(len(received)) || m.Files[0].SHA256 != hex.EncodeToString(sum[:]) {
				t.Errorf("the manifest does not describe the file sent: %+v", m.Files)
			}
			tags := exifTags(t, received, tt.ext)
			if tt.keep {
				if !bytes.Equal(received, original) {
					t.Error("a file whose metadata the source kept was changed")
				}
				if tags["SerialNumber"] != metadataSerial || tags["GPSLatitude"] == nil {
					t.Errorf("kept metadata is gone: %v", tags)
				}
				return
			}
			for _, tag := range identifyingTags {
				if v, ok := tags[tag]; ok {
					t.Errorf("the investigator's copy still has %s = %v", tag, v)
				}
			}
			if w, ok := tags["Warning"]; ok {
				t.Errorf("exiftool warns about the cleaned file: %v", w)
			}
			switch tt.ext {
			case ".jpg", ".png":
				img, _, err := image.Decode(bytes.NewReader(received))
				if err != nil {
					t.Fatalf("the cleaned %s does not decode: %v", tt.ext, err)
				}
				if img.Bounds() != gradient().Bounds() {
					t.Errorf("the cleaned picture is %v", img.Bounds())
				}
			case ".webp":
				if size := decodesInChromium(t, browser, received, tt.mime); size != "64x48" {
					t.Errorf("the cleaned WebP decodes to %s", size)
				}
				if riff := binary.LittleEndian.Uint32(received[4:]); int(riff) != len(received)-8 {
					t.Errorf("RIFF size %d for %d bytes", riff, len(received))
				}
				if i := bytes.Index(received, []byte("VP8X")); i < 0 || received[i+8]&0x0c != 0 {
					t.Errorf("the VP8X chunk still flags EXIF or XMP (at %d)", i)
				}
			}
			if tt.ext == ".jpg" && tags["Orientation"] != float64(6) {
				t.Errorf("the cleaned JPEG lost its orientation: %v", tags["Orientation"])
			}
		})
	}
}

// isoBox is an ISO base media file format box.
func isoBox(typ string, payload ...[]byte) []byte {
	body := bytes.Join(payload, nil)
	return append(binary.BigEndian.AppendUint32(nil, uint32(8+len(body))), append([]byte(typ), body...)...)
}

// heifWithExif is a HEIF container (the structure of a HEIC photo, without
// the picture) whose one item is the EXIF of the JPEG photo.
func heifWithExif(t *testing.T, photo []byte) []byte {
	t.Helper()
	at := bytes.Index(photo, []byte("Exif\x00\x00"))
	if at < 4 {
		t.Fatal("the photo has no EXIF")
	}
	exif := photo[at : at-2+int(binary.BigEndian.Uint16(photo[at-2:]))]
	full := []byte{0, 0, 0, 0} // version and flags of a full box
	ftyp := isoBox("ftyp", []byte("heic\x00\x00\x00\x00mif1heic"))
	hdlr := isoBox("hdlr", full, make([]byte, 4), []byte("pict"), make([]byte, 13))
	infe := isoBox("infe", []byte{2, 0, 0, 0, 0, 1, 0, 0}, []byte("Exif\x00"))
	iinf := isoBox("iinf", full, []byte{0, 1}, infe)
	iloc := func(offset int) []byte {
		entry := []byte{0x44, 0, 0, 1, 0, 1, 0, 0, 0, 1}
		entry = binary.BigEndian.AppendUint32(entry, uint32(offset))
		entry = binary.BigEndian.AppendUint32(entry, uint32(4+len(exif)))
		return isoBox("iloc", full, entry)
	}
	meta := isoBox("meta", full, hdlr, iinf, iloc(0))
	offset := len(ftyp) + len(meta) + 8
	meta = isoBox("meta", full, hdlr, iinf, iloc(offset))
	return bytes.Join([][]byte{ftyp, meta, isoBox("mdat", []byte{0, 0, 0, 6}, exif)}, nil)
}

// TestBrowserReportedMetadata attaches a Word document and a PDF that name
// their author, and a HEIC photo with GPS and camera EXIF: the page lists
// what it found and says that it cannot remove it and how to, without
// offering to. A text file is listed as not checked.
func TestBrowserReportedMetadata(t *testing.T) {
	requireExiftool(t)
	browser := newBrowser(t)
	heic := heifWithExif(t, mustRead(t, writePhotos(t, browser)[".jpg"]))
	ts := newTestServer(t)
	addGPGKey(t, ts)
	base := serveTest(t, ts)
	dir := t.TempDir()

	var docx bytes.Buffer
	zw := zip.NewWriter(&docx)
	for name, body := range map[string]string{
		"[Content_Types].xml": `<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"/>`,
		"docProps/core.xml": `<?xml version="1.0"?><cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" xmlns:dc="http://purl.org/dc/elements/1.1/">` +
			`<dc:creator>` + metadataArtist + `</dc:creator><cp:lastModifiedBy>王芳</cp:lastModifiedBy></cp:coreProperties>`,
		"docProps/app.xml": `<?xml version="1.0"?><Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/extended-properties">` +
			`<Application>Microsoft Office Word</Application><Company>深圳市华芯科技有限公司</Company></Properties>`,
	} {
		w, err := zw.Create(name)
		if err != nil {
			t.Fatal(err)
		}
		w.Write([]byte(body))
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	pdf := "%PDF-1.4\n1 0 obj << /Author (" + metadataArtist + ") /Producer (Acrobat Distiller 23.0) /Creator <FEFF5F208BB0> >> endobj\ntrailer << /Info 1 0 R >>\n%%EOF\n"
	paths := []string{filepath.Join(dir, "报告.docx"), filepath.Join(dir, "invoice.pdf"), filepath.Join(dir, "IMG_0001.heic"), filepath.Join(dir, "notes.txt")}
	for i, data := range [][]byte{docx.Bytes(), []byte(pdf), heic, []byte("notes")} {
		if err := os.WriteFile(paths[i], data, 0o600); err != nil {
			t.Fatal(err)
		}
	}

	for _, lang := range []intake.Lang{intake.EN, intake.ZH} {
		ctx := metadataTab(t, browser, base, string(lang), 390)
		if err := chromedp.Do(ctx,
			chromedp.SetUploadFiles(chromedp.ID("f-evidence"), paths),
			chromedp.WaitVisible(chromedp.CSS(`#js-metadata .metadata-file`)),
		); err != nil {
			t.Fatalf("no metadata notice: %v", err)
		}
		notice, err := chromedp.Run(ctx, chromedp.Text(chromedp.ID("js-metadata")))
		if err != nil {
			t.Fatal(err)
		}
		for _, want := range []string{
			metadataArtist, "王芳", "深圳市华芯科技有限公司", "Microsoft Office Word", "Acrobat Distiller 23.0", "张记",
			intake.T(lang, "metadata_company"), intake.T(lang, "metadata_document_advice"),
			"31.23040° N, 121.47370° E", "Huawei P60 Pro", metadataSerial, intake.T(lang, "metadata_heic_advice"),
			strings.Replace(intake.T(lang, "metadata_not_checked"), "%s", "notes.txt", 1),
		} {
			if !strings.Contains(notice, want) {
				t.Errorf("%s: the notice does not say %q:\n%s", lang, want, notice)
			}
		}
		if strings.Contains(notice, intake.T(lang, "metadata_keep")) {
			t.Errorf("%s: the notice offers to keep what it cannot remove", lang)
		}
		noticeScreenshot(t, ctx, "metadata-reported-"+string(lang)+"-390")
	}
}

// TestBrowserMetadataAdviceWithoutJavaScript: with JavaScript off nothing
// can be removed in the browser, so the file field says, in the page's
// language, how to remove hidden information before attaching.
func TestBrowserMetadataAdviceWithoutJavaScript(t *testing.T) {
	browser := newBrowser(t)
	ts := newTestServer(t)
	addGPGKey(t, ts)
	base := serveTest(t, ts)
	for _, tt := range []struct {
		lang  intake.Lang
		width int64
	}{{intake.EN, 1280}, {intake.ZH, 390}, {intake.EN, 390}, {intake.ZH, 1280}} {
		ctx, cancel := chromedp.NewContext(browser)
		defer cancel()
		ctx, cancelTimeout := context.WithTimeout(ctx, browserTimeout)
		defer cancelTimeout()
		if _, err := chromedp.Call(ctx, emulation.SetScriptExecutionDisabled, emulation.SetScriptExecutionDisabledParams{Value: true}); err != nil {
			t.Fatal(err)
		}
		if _, err := chromedp.Call(ctx, emulation.SetDeviceMetricsOverride, emulation.SetDeviceMetricsOverrideParams{Width: tt.width, Height: 900, DeviceScaleFactor: 1, Mobile: tt.width < 500}); err != nil {
			t.Fatal(err)
		}
		if err := chromedp.Do(ctx,
			chromedp.Navigate(base+"/desk/export-controls?lang="+string(tt.lang)),
			chromedp.Click(chromedp.CSS(`#q-evidence details summary`)),
			chromedp.WaitVisible(chromedp.CSS(`#q-evidence details p`)),
		); err != nil {
			t.Fatalf("%s: no advice to open: %v", tt.lang, err)
		}
		advice, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(`#q-evidence details`)))
		if err != nil {
			t.Fatal(err)
		}
		for _, key := range []string{"metadata_advice_summary", "metadata_advice"} {
			if !strings.Contains(advice, intake.T(tt.lang, key)) {
				t.Errorf("%s: the file field does not say %s:\n%s", tt.lang, key, advice)
			}
		}
		described, _ := chromedp.Run(ctx, chromedp.Evaluate[string](`document.getElementById("f-evidence").getAttribute("aria-describedby")`))
		if !strings.Contains(described, "m-evidence") {
			t.Errorf("the file field is not described by the advice (aria-describedby=%q)", described)
		}
		noticeScreenshot(t, ctx, fmt.Sprintf("metadata-advice-no-javascript-%s-%d", tt.lang, tt.width))
	}
}
