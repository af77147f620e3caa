#pragma once
// Stage-1 image probing: size from the header, exact and perceptual hashes,
// and the guarded full decode that later stages use.
//
// The probes (and scoreImageFile) run in the module realsyn_imageprobe.so,
// opened on the first call (detail/imageprobeimpl.h says why);
// imageProbeMissing() and imageProbeUnavailable() say when it cannot be. The
// full decodes (loadImageRgb, decodeImageRgb) are linked in.
//
// Decompression bombs: the pixel count is read from the file header and an
// image above ProbeOptions::maxPixels is refused before any pixel buffer is
// allocated. Decoding uses OpenCV (PNG, JPEG, BMP, WebP, TIFF, PNM) and falls
// back to QImageReader for formats OpenCV lacks (GIF: first frame only). A
// format whose size cannot be read from its header is refused as
// "decode_failed" rather than decoded blind.
//
// Truncated JPEGs (no end-of-image marker after the scan data) are refused as
// "decode_failed" even though libjpeg would return a partly grey image; this
// matches PIL's default (LOAD_TRUNCATED_IMAGES = False) that img2dataset uses.
// Truncated PNG and BMP files fail in OpenCV and are not retried with Qt.
// Truncated GIFs (Qt) and some TIFFs (libtiff) may still decode partially.
//
// EXIF orientation is not applied: width/height and pixels are as stored.
//
// Thread-safety: all functions are reentrant and may run concurrently on
// different inputs. They raise Qt's process-wide QImageReader allocation
// limit (under a mutex) when maxPixels needs more than the current limit.

#include "core/util/result.h"

#include <QByteArray>
#include <QImage>
#include <QString>

namespace rs {

class IExpert;

struct ProbeOptions {
    qint64 maxPixels = 89478485; // PIL's default decompression-bomb limit (width * height)
    // Files larger than this are refused before any byte is read (the
    // recipe's extract.max_file_bytes has the same default).
    qint64 maxFileBytes = 256LL * 1024 * 1024;
};

struct ImageProbe {
    // Empty when the image is usable; otherwise a stable reason key:
    //   "unreadable"      I/O error or zero bytes
    //   "too_large"       file larger than maxFileBytes (nothing read)
    //   "too_many_pixels" header width * height > maxPixels (nothing decoded)
    //   "decode_failed"   unknown format, corrupt or truncated data
    QString failure;
    QString detail;            // one line for a person; may be set even when usable
    int width = 0, height = 0; // from the header, before decoding (also set for too_many_pixels)
    qint64 bytes = 0;          // file size
    QString format;            // lower-case: "png", "jpeg", "gif", "webp", "bmp", ...; empty if unknown
    QByteArray sha256;         // lower-case hex SHA-256 of the file bytes (exact-duplicate key)
    quint64 phash = 0;         // 64-bit DCT perceptual hash of the decoded image (alpha on white);
                               // valid only when failure is empty. Compare with hammingDistance().

    bool ok() const { return failure.isEmpty(); }
};

// Reads the file and probes its bytes; a missing/unreadable file is "unreadable".
ImageProbe probeImageFile(const QString &path, const ProbeOptions &opts = {});
ImageProbe probeImageData(const QByteArray &data, const ProbeOptions &opts = {});

// Full decode for later stages: QImage::Format_RGB888, alpha composited onto
// white, images over opts.maxPixels refused. maxSide > 0 downsizes (area
// interpolation, aspect kept) so that the longer side is <= maxSide; smaller
// images are never enlarged.
// Errors: IoError / NotFound (file), Unsupported (too many pixels, file too large),
// ParseError (unknown format, corrupt, truncated). The message starts with the
// ImageProbe reason key, e.g. "too_many_pixels: header says ...".
Result<QImage> loadImageRgb(const QString &path, const ProbeOptions &opts = {}, int maxSide = 0);
Result<QImage> decodeImageRgb(const QByteArray &data, const ProbeOptions &opts = {}, int maxSide = 0);

// One image file's score from a quality expert (extract.max_brisque): the
// first finding's value for the image as loadImageRgb gives it, or -1 when
// the file does not load or the expert finds nothing. Decoded in the module,
// so that its caller needs no QImage.
double scoreImageFile(IExpert &expert, const QString &path);

// Empty when the module is loaded (loading it if need be); otherwise why it
// is not, with every file tried. Then the probes fail every image with that
// reason, and scoreImageFile scores none: a stage checks first instead.
QString imageProbeUnavailable();
// Empty when the module for the formats the probe's own PNG and JPEG
// decoders decline (OpenCV's codecs, realsyn_imagedecoder.so) is loaded,
// loading both modules if need be; otherwise why it is not. For a stage
// whose images failed to decode, to tell a broken install from bad files.
QString imageCodecsUnavailable();
// Like imageProbeUnavailable(), but without loading anything: empty when
// both modules are loaded or have a candidate file. For a stage's start, so
// that the modules load on a worker while the main thread gets on with
// other work.
QString imageProbeMissing();

// Number of differing bits (0..64).
int hammingDistance(quint64 a, quint64 b);

} // namespace rs
