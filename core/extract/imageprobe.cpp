// imageprobe.h's probes, forwarded to realsyn_imageprobe.so. Nothing here
// touches a QImage, so that stage 1 links this file without Qt Gui or
// OpenCV; the QImage functions are in detail/imageprobeimpl.cpp.
#include "core/extract/imageprobe.h"

#include "core/extract/detail/imagedecoder.h"
#include "core/extract/detail/imageprobemodule.h"
#include "core/util/blasthreads.h"
#include "core/util/runtimemodule.h"

#include <QLibrary>

#include <bit>

namespace rs {

namespace detail {

namespace {

#ifdef REALSYN_IMAGE_PROBE_STATIC

ImageProbeModule load()
{
    return {&realsyn_image_probe_file, &realsyn_image_probe_data, &realsyn_image_score, &realsyn_image_codecs_unavailable, {}};
}

QString missing() { return {}; }

#else

const RuntimeModuleSpec kModule{"image probe", "REALSYN_IMAGE_PROBE_MODULE", "realsyn_imageprobe.so", "realsyn_image_probe_abi",
                                REALSYN_IMAGE_PROBE_ABI};

ImageProbeModule load()
{
    ImageProbeModule m;
    const RuntimeModule module = loadRuntimeModule(kModule);
    if (!module.library) {
        m.unavailable = module.unavailable;
        return m;
    }
    QStringList absent;
    const auto resolve = [&](auto &entry, const char *name) {
        entry = reinterpret_cast<std::remove_reference_t<decltype(entry)>>(module.library->resolve(name));
        if (!entry)
            absent << QLatin1String(name);
    };
    resolve(m.probeFile, "realsyn_image_probe_file");
    resolve(m.probeData, "realsyn_image_probe_data");
    resolve(m.score, "realsyn_image_score");
    resolve(m.codecsUnavailable, "realsyn_image_codecs_unavailable");
    parkBlasThreads(*module.library);
    if (!absent.isEmpty())
        return {.unavailable = module.library->fileName() + QStringLiteral(" lacks ") + absent.join(QStringLiteral(", "))};
    return m;
}

// The probe module, then the codecs module it opens for what its own
// decoders decline (detail/imagedecoder.h).
QString missing()
{
    if (QString why = runtimeModuleMissing(kModule); !why.isEmpty())
        return why;
    return runtimeModuleMissing(kImageDecoderModule);
}

#endif

} // namespace

const ImageProbeModule &imageProbeModule()
{
    static const ImageProbeModule m = load();
    return m;
}

} // namespace detail

namespace {

// What every probe says when the module is not there.
ImageProbe unavailableProbe(const QString &why)
{
    ImageProbe probe;
    probe.failure = QStringLiteral("decode_failed");
    probe.detail = why;
    return probe;
}

} // namespace

ImageProbe probeImageFile(const QString &path, const ProbeOptions &opts)
{
    const detail::ImageProbeModule &m = detail::imageProbeModule();
    if (!m.probeFile)
        return unavailableProbe(m.unavailable);
    ImageProbe probe;
    m.probeFile(&path, &opts, &probe);
    return probe;
}

ImageProbe probeImageData(const QByteArray &data, const ProbeOptions &opts)
{
    const detail::ImageProbeModule &m = detail::imageProbeModule();
    if (!m.probeData)
        return unavailableProbe(m.unavailable);
    ImageProbe probe;
    m.probeData(&data, &opts, &probe);
    return probe;
}

double scoreImageFile(IExpert &expert, const QString &path)
{
    const detail::ImageProbeModule &m = detail::imageProbeModule();
    return m.score ? m.score(&expert, &path) : -1;
}

QString imageProbeUnavailable()
{
    return detail::imageProbeModule().unavailable;
}

QString imageCodecsUnavailable()
{
    const detail::ImageProbeModule &m = detail::imageProbeModule();
    if (!m.codecsUnavailable)
        return m.unavailable;
    QString why;
    m.codecsUnavailable(&why);
    return why;
}

QString imageProbeMissing()
{
    return detail::missing();
}

int hammingDistance(quint64 a, quint64 b) { return std::popcount(a ^ b); }

} // namespace rs
