#pragma once
// Stage-1 image probing: size from the header, exact and perceptual hashes,
// and the guarded full decode that later stages use.
//
// The probes (and scoreImageFile) run in modules, each opened on the first
// call that needs it: realsyn_imagereader.so reads a file and decodes an
// ordinary PNG or JPEG (detail/imagereader.h), realsyn_imagehash.so hashes
// it (detail/imagehash.h), and realsyn_imageprobe.so does the rest
// (detail/imageprobeimpl.h says why); imageProbeMissing() and
// imageProbeUnavailable() say when they cannot be.
// The full decodes (loadImageRgb, decodeImageRgb) are linked in.
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

#include "core/extract/imageproberesult.h"
#include "core/util/result.h"

#include <QByteArray>
#include <QImage>
#include <QString>

namespace rs {

class IExpert;

// Reads the file and probes its bytes; a missing/unreadable file is "unreadable".
// startImageProbe, then finishImageProbe.
ImageProbe probeImageFile(const QString &path, const ProbeOptions &opts = {});

// Extract's probe, in two halves, so that its workers decode from their
// first image while the main thread loads the OpenCV that hashes (~25 ms on
// one core, during which the second worker used to wait). startImageProbe
// reads and decodes in realsyn_imagereader.so and hashes the image too when
// realsyn_imagehash.so is loaded already; otherwise the hash's 32x32 input
// waits in `hashPending` (an input over 64 KiB, a thin image kept whole,
// is hashed at once, loading the module). finishImageProbe computes it, loading the module
// if need be (where it does not load, the probe fails as every probe then
// does). What the reader declines (formats other than PNG and JPEG, odd
// PNGs and JPEGs) is probed whole in realsyn_imageprobe.so at once. The
// result is the same either way, bit for bit.
ImageProbe startImageProbe(const QString &path, const ProbeOptions &opts = {});
void finishImageProbe(ImageProbe &probe);
// Loads the reader module and readies the calling thread's decoders, as its
// first image would. A worker thread calls it before the probe module loads
// elsewhere: the decoders' thread-local state is set up under glibc's
// loader lock, which that load holds throughout, so a worker that met it
// there would wait the load out. A failed load is left for
// startImageProbe to report.
void prepareImageProbeThread();
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

// Empty when the reader, hash and probe modules are loaded (loading them
// if need be); otherwise why one is not, with every file tried. Then the
// probes fail every image with that reason, and scoreImageFile scores
// none: a stage checks first instead.
QString imageProbeUnavailable();
// The same for the reader and hash modules alone, which are all that an
// ordinary PNG or JPEG needs: what extract's main thread loads while its
// workers decode.
QString imageHashUnavailable();
// Empty when the module for the formats the probe's own PNG and JPEG
// decoders decline (OpenCV's codecs, realsyn_imagedecoder.so) is loaded,
// loading the other modules if need be; otherwise why one is not. For a stage
// whose images failed to decode, to tell a broken install from bad files.
QString imageCodecsUnavailable();
// Like imageProbeUnavailable(), but without loading anything: empty when
// the four modules are loaded or have a candidate file. For a stage's start, so
// that the modules load on a worker while the main thread gets on with
// other work.
QString imageProbeMissing();

// Number of differing bits (0..64).
int hammingDistance(quint64 a, quint64 b);

} // namespace rs
