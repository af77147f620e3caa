#pragma once
// The first half of an image probe, which needs neither OpenCV nor Qt Gui:
// reading the file, its SHA-256, and for an ordinary PNG or JPEG the header
// and the perceptual hash's 32x32 input from the decoders of this folder.
// It runs in realsyn_imagereader.so (imagereadermodule.h), which links only
// libcrypto, libdeflate and libjpeg and loads in a few milliseconds; the
// hash itself (OpenCV's PHash) and everything these decoders decline run in
// realsyn_imageprobe.so (imageprobeimpl.h), which maps ~35 libraries and
// loads in ~40 ms. Split so, extract's workers decode from their first image
// while the main thread loads the second module (imageprobe.h,
// startImageProbe). The probe module runs the same code for its own probes
// (probeImageDataImpl), so the two halves cannot disagree on what the fast
// path accepts.
#include "core/extract/detail/arearesize.h"
#include "core/extract/detail/bgrrows.h"
#include "core/extract/imageproberesult.h"
#include "core/util/result.h"

#include <QByteArray>
#include <QString>

#include <optional>
#include <vector>

namespace rs::detail {

// ImageProbe's reason keys that this half gives.
inline const QString kUnreadable = QStringLiteral("unreadable");
inline const QString kTooLarge = QStringLiteral("too_large");

// Reads a whole image file, refusing one over maxBytes before reading it.
// Errors: NotFound, IoError ("unreadable: ..."), Unsupported ("too_large: ...").
Result<QByteArray> readImageFile(const QString &path, qint64 maxBytes);

enum class JpegEnd { Complete, Truncated, Unknown };
// Whether JPEG bytes reach their end-of-image marker (libjpeg decodes a
// truncated file into a partly grey image with only a warning).
JpegEnd jpegEnd(const QByteArray &data);

// The perceptual hash's input: the 32x32 B, G, R area average that
// cv::resize(INTER_AREA) gives, or, for an image under 32 pixels on a side
// (which cv::resize enlarges instead), the whole image, which the hash
// resizes itself (perceptualHash in imageprobeimpl.cpp).
struct HashPixels {
    int width = 0;
    int height = 0;
    std::vector<unsigned char> bgr; // width * height * 3, row-major
};

// Takes a decoder's rows into HashPixels: averaged as they arrive when
// AreaResize32 supports the size, kept whole otherwise.
class PerceptualHashInput final : public BgrRows {
public:
    unsigned char *row(int y) override;
    void finishRow(int) override;
    // The average of each channel is worked out apart from the others'
    // (AreaResize32 does the same arithmetic for every byte of a pixel), so
    // R, G, B rows give the B, G, R average with B and R swapped: exactly,
    // and with no pass to swap each pixel first.
    void finishRgbRow(int y, const unsigned char *rgb) override;

    // The pixels of the image decoded last, once every row is finished.
    HashPixels take();

private:
    bool start(int width, int height) override;

    bool m_streaming = false;
    bool m_rgbRows = false; // the rows came through finishRgbRow
    std::optional<AreaResize32> m_area;
    std::vector<unsigned char> m_row;
    HashPixels m_whole;
};

// The fast path: `data` decoded into `rows` by the PNG or JPEG decoder of
// this folder. Only a success is final; anything they decline or throw on
// goes the general way (imageprobeimpl.cpp's decodeChecked), which words
// every failure. `format` is "png" or "jpeg" on success; `error` is what a
// decoder threw (std::bad_alloc from the rows), which ends the general way
// too, so that it never runs them again.
struct FastDecode {
    bool decoded = false;
    QString format;
    QString error;
};
FastDecode decodeFast(const QByteArray &data, const ProbeOptions &opts, BgrRows &rows);

// Readies the calling thread for the first half, as its first image would:
// the PNG decoder's thread-local state (preparePngDecoderThread), whose
// set-up waits on glibc's loader lock, which extract's main thread holds
// while it loads realsyn_imagehash.so as the workers start decoding.
// (SHA-256 needs no set-up: core/util/sha256.cpp.)
void prepareReaderThread();

// How far the first half got.
enum class FastProbe {
    Final,   // `probe` is complete: the file is unreadable or too large
    Hashed,  // `probe` is complete but for phash, which is perceptualHash(pixels)
    Declined // the general way decides: probeImageDataImpl(data)
};
// The first half on bytes: SHA-256, and the fast decode into `pixels`.
FastProbe probeDataFast(const QByteArray &data, const ProbeOptions &opts, ImageProbe &probe, HashPixels &pixels);
// The same on a file; `data` keeps the bytes read for a declined probe.
FastProbe probeFileFast(const QString &path, const ProbeOptions &opts, ImageProbe &probe, HashPixels &pixels,
                        QByteArray &data);

} // namespace rs::detail
