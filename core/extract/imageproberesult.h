#pragma once
// What an image probe is asked and what it finds (imageprobe.h), apart from
// the QImage decodes there: the image reader module, which links neither Qt
// Gui nor OpenCV, fills these too (detail/imagereader.h).
#include <QByteArray>
#include <QString>

#include <memory>

namespace rs {

namespace detail {
struct HashPixels;
}

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
    // Set by startImageProbe while phash is still to be computed from these
    // pixels; finishImageProbe computes it and clears this.
    std::shared_ptr<const detail::HashPixels> hashPending;

    bool ok() const { return failure.isEmpty(); }
};

} // namespace rs
