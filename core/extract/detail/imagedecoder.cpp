#include "core/extract/detail/imagedecoder.h"

#include "core/extract/detail/imagedecodermodule.h"
#include "core/util/runtimepaths.h"

#include <QCoreApplication>
#include <QDir>
#include <QFileInfo>
#include <QLibrary>
#include <QStringList>

namespace rs::detail {

namespace {

using AbiFn = int (*)();
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

QString missing() { return {}; }

#else

const QLatin1String kModuleFile("realsyn_imagedecoder.so");

QString notLoaded(const QStringList &tried)
{
    return QStringLiteral("image decoder module %1 not loaded; tried: %2 (set REALSYN_IMAGE_DECODER to its path)")
        .arg(kModuleFile, tried.join(QStringLiteral("; ")));
}

// REALSYN_IMAGE_DECODER (a file), else realsyn's library folders.
QStringList candidates()
{
    return moduleCandidates("REALSYN_IMAGE_DECODER", kModuleFile);
}

Decoder load()
{
    QStringList tried;
    for (const QString &file : candidates()) {
        if (!QFileInfo::exists(file)) {
            tried << file + QStringLiteral(" (missing)");
            continue;
        }
        // Never unloaded: decoded cv::Mat buffers are freed through OpenCV's
        // allocator, which stays loaded with the module.
        auto *lib = new QLibrary(file);
        const auto abi = lib->load() ? reinterpret_cast<AbiFn>(lib->resolve("realsyn_image_decoder_abi")) : nullptr;
        const auto decode = reinterpret_cast<DecodeFn>(lib->resolve("realsyn_image_decode"));
        if (abi && decode && abi() == REALSYN_IMAGE_DECODER_ABI)
            return {decode, {}};
        tried << file + QStringLiteral(" (")
                + (!lib->isLoaded() ? lib->errorString()
                                    : (abi && decode) ? QStringLiteral("ABI %1, need %2").arg(abi()).arg(REALSYN_IMAGE_DECODER_ABI)
                                                      : QStringLiteral("not an image decoder module"))
                + QLatin1Char(')');
        delete lib;
    }
    return {nullptr, notLoaded(tried)};
}

QString missing()
{
    QStringList tried;
    for (const QString &file : candidates()) {
        if (QFileInfo::exists(file))
            return {};
        tried << file + QStringLiteral(" (missing)");
    }
    return notLoaded(tried);
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

QString imageDecoderMissing()
{
    return missing();
}

} // namespace rs::detail
