#include "core/extract/detail/imagedecoder.h"

#include "core/extract/detail/imagedecodermodule.h"
#include "core/util/runtimemodule.h"

#include <QLibrary>

namespace rs::detail {

namespace {

using DecodeFn = int (*)(const unsigned char *, int, cv::Mat *, std::string *);

struct Decoder {
    DecodeFn decode = nullptr;
    QString unavailable; // why decode is null
};

#ifdef REALSYN_IMAGE_DECODER_STATIC

Decoder load()
{
    return {&realsyn_image_decode, {}};
}

#else

Decoder load()
{
    // Decoded cv::Mat buffers are freed through OpenCV's allocator, which
    // stays loaded with the module (never unloaded).
    const RuntimeModule module = loadRuntimeModule(kImageDecoderModule);
    if (!module.library)
        return {nullptr, module.unavailable};
    if (const auto decode = reinterpret_cast<DecodeFn>(module.library->resolve("realsyn_image_decode")))
        return {decode, {}};
    return {nullptr, module.library->fileName() + QStringLiteral(" has no realsyn_image_decode")};
}

#endif

const Decoder &decoder()
{
    static const Decoder d = load();
    return d;
}

} // namespace

bool decodeImageBytes(const char *data, int size, cv::Mat &out, QString &error)
{
    const Decoder &d = decoder();
    if (!d.decode) {
        error = d.unavailable;
        return false;
    }
    std::string message;
    if (d.decode(reinterpret_cast<const unsigned char *>(data), size, &out, &message))
        return true;
    error = QString::fromStdString(message).trimmed();
    return false;
}

QString imageDecoderUnavailable()
{
    return decoder().unavailable;
}

} // namespace rs::detail
