// imageprobe.h's probes, forwarded to realsyn_imagereader.so,
// realsyn_imagehash.so and realsyn_imageprobe.so. Nothing here touches a
// QImage or OpenCV, so that stage 1 links this file without Qt Gui or
// OpenCV; the QImage functions are in detail/imageprobeimpl.cpp.
#include "core/extract/imageprobe.h"

#include "core/extract/detail/imagedecoder.h"
#include "core/extract/detail/imagehashmodule.h"
#include "core/extract/detail/imageprobemodule.h"
#include "core/extract/detail/imagereadermodule.h"
#include "core/util/blasthreads.h"
#include "core/util/runtimemodule.h"

#include <QLibrary>

#include <atomic>
#include <bit>

namespace rs {

namespace detail {

namespace {

#ifdef REALSYN_IMAGE_PROBE_STATIC

ImageReaderModule loadReader()
{
    return {&realsyn_image_read_file, &realsyn_image_reader_prepare_thread, {}};
}

ImageHashModule loadHash()
{
    return {&realsyn_image_hash_probe, {}};
}

ImageProbeModule load()
{
    return {&realsyn_image_probe_data, &realsyn_image_score, &realsyn_image_codecs_unavailable, {}};
}

QString missing() { return {}; }

#else

const RuntimeModuleSpec kReaderModule{"image reader", "REALSYN_IMAGE_READER_MODULE", "realsyn_imagereader.so",
                                      "realsyn_image_reader_abi", REALSYN_IMAGE_READER_ABI};
const RuntimeModuleSpec kHashModule{"image hash", "REALSYN_IMAGE_HASH_MODULE", "realsyn_imagehash.so", "realsyn_image_hash_abi",
                                    REALSYN_IMAGE_HASH_ABI};
const RuntimeModuleSpec kModule{"image probe", "REALSYN_IMAGE_PROBE_MODULE", "realsyn_imageprobe.so", "realsyn_image_probe_abi",
                                REALSYN_IMAGE_PROBE_ABI};

// Resolves a loaded module's entries by name, noting the absent ones.
struct Resolver {
    QLibrary &library;
    QStringList absent;

    template <typename Entry>
    void operator()(Entry &entry, const char *name)
    {
        entry = reinterpret_cast<Entry>(library.resolve(name));
        if (!entry)
            absent << QLatin1String(name);
    }
    QString why() const
    {
        return absent.isEmpty() ? QString() : library.fileName() + QStringLiteral(" lacks ") + absent.join(QStringLiteral(", "));
    }
};

// Opens `spec` and resolves the entries of a Module (ImageReaderModule and
// the like) with `entries`; its `unavailable` says why when either fails.
// Where the module links OpenCV, and with it OpenBLAS, the BLAS workers
// are parked: they would spin beside extract's decoders
// (core/util/blasthreads.h).
enum class Blas { None, Park };
template <typename Module, typename Entries>
Module openModule(const RuntimeModuleSpec &spec, Blas blas, Entries entries)
{
    const RuntimeModule module = loadRuntimeModule(spec);
    if (!module.library)
        return {.unavailable = module.unavailable};
    Module m;
    Resolver resolve{*module.library, {}};
    entries(resolve, m);
    if (blas == Blas::Park)
        parkBlasThreads(*module.library);
    if (QString why = resolve.why(); !why.isEmpty())
        return {.unavailable = why};
    return m;
}

ImageReaderModule loadReader()
{
    return openModule<ImageReaderModule>(kReaderModule, Blas::None, [](Resolver &resolve, ImageReaderModule &m) {
        resolve(m.readFile, "realsyn_image_read_file");
        resolve(m.prepareThread, "realsyn_image_reader_prepare_thread");
    });
}

ImageHashModule loadHash()
{
    return openModule<ImageHashModule>(kHashModule, Blas::Park, [](Resolver &resolve, ImageHashModule &m) {
        resolve(m.hashProbe, "realsyn_image_hash_probe");
    });
}

ImageProbeModule load()
{
    return openModule<ImageProbeModule>(kModule, Blas::Park, [](Resolver &resolve, ImageProbeModule &m) {
        resolve(m.probeData, "realsyn_image_probe_data");
        resolve(m.score, "realsyn_image_score");
        resolve(m.codecsUnavailable, "realsyn_image_codecs_unavailable");
    });
}

// The reader, the hash, the probe module, then the codecs module the probe
// module opens for what the reader's own decoders decline
// (detail/imagedecoder.h).
QString missing()
{
    for (const RuntimeModuleSpec *spec : {&kReaderModule, &kHashModule, &kModule, &kImageDecoderModule})
        if (QString why = runtimeModuleMissing(*spec); !why.isEmpty())
            return why;
    return {};
}

#endif

std::atomic<const ImageHashModule *> loadedHashModule{nullptr};

} // namespace

const ImageReaderModule &imageReaderModule()
{
    static const ImageReaderModule m = loadReader();
    return m;
}

const ImageHashModule &imageHashModule()
{
    static const ImageHashModule m = loadHash();
    loadedHashModule.store(&m, std::memory_order_release);
    return m;
}

const ImageHashModule *imageHashModuleIfLoaded()
{
    return loadedHashModule.load(std::memory_order_acquire);
}

const ImageProbeModule &imageProbeModule()
{
    static const ImageProbeModule m = load();
    return m;
}

} // namespace detail

namespace {

// The most bytes of hash input a probe keeps for finishImageProbe.
constexpr size_t kMostBytesPending = 64 * 1024;

// What every probe says when a module is not there.
ImageProbe unavailableProbe(const QString &why)
{
    ImageProbe probe;
    probe.failure = QStringLiteral("decode_failed");
    probe.detail = why;
    return probe;
}

} // namespace

ImageProbe startImageProbe(const QString &path, const ProbeOptions &opts)
{
    const detail::ImageReaderModule &reader = detail::imageReaderModule();
    if (!reader.readFile)
        return unavailableProbe(reader.unavailable);
    ImageProbe probe;
    auto pixels = std::make_shared<detail::HashPixels>();
    QByteArray data;
    switch (detail::FastProbe(reader.readFile(&path, &opts, &probe, pixels.get(), &data))) {
    case detail::FastProbe::Final:
        return probe;
    case detail::FastProbe::Hashed:
        // The hash's input waits only while the module loads, and only when
        // it is small: the 32x32 average is 3 KiB, but an image under 32
        // pixels on a side is kept whole (a 31 x 100,000 strip is 9 MB), and
        // extract queues ~1,000 probes while the module loads.
        if (const detail::ImageHashModule *m = detail::imageHashModuleIfLoaded();
            !m && pixels->bgr.size() <= kMostBytesPending)
            probe.hashPending = std::move(pixels);
        else if (const detail::ImageHashModule &loaded = detail::imageHashModule(); loaded.hashProbe)
            loaded.hashProbe(&probe, pixels.get());
        else
            probe = unavailableProbe(loaded.unavailable);
        return probe;
    case detail::FastProbe::Declined:
        break;
    }
    return probeImageData(data, opts);
}

void prepareImageProbeThread()
{
    if (const detail::ImageReaderModule &reader = detail::imageReaderModule(); reader.prepareThread)
        reader.prepareThread();
}

void finishImageProbe(ImageProbe &probe)
{
    if (!probe.hashPending)
        return;
    const std::shared_ptr<const detail::HashPixels> pixels = std::move(probe.hashPending); // leaves it null
    const detail::ImageHashModule &m = detail::imageHashModule();
    if (!m.hashProbe) {
        probe = unavailableProbe(m.unavailable);
        return;
    }
    m.hashProbe(&probe, pixels.get());
}

ImageProbe probeImageFile(const QString &path, const ProbeOptions &opts)
{
    ImageProbe probe = startImageProbe(path, opts);
    finishImageProbe(probe);
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

QString imageHashUnavailable()
{
    if (const QString &why = detail::imageReaderModule().unavailable; !why.isEmpty())
        return why;
    return detail::imageHashModule().unavailable;
}

QString imageProbeUnavailable()
{
    if (QString why = imageHashUnavailable(); !why.isEmpty())
        return why;
    return detail::imageProbeModule().unavailable;
}

QString imageCodecsUnavailable()
{
    if (QString why = imageHashUnavailable(); !why.isEmpty())
        return why;
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
