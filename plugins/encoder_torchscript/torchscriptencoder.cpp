#include "plugins/encoder_torchscript/torchscriptencoder.h"

#include "core/embed/cliptokenizer.h"
#include "plugins/encoder_torchscript/clippreprocess.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QFuture>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QScopeGuard>
#include <QThread>
#include <QtConcurrent/QtConcurrentRun>

// The only translation unit that sees libtorch (it costs ~17 s to compile).
#include <ATen/Parallel.h>
#include <torch/script.h>
#include <torch/version.h>

#include <mutex>
#include <optional>

namespace rs {

namespace {

const QString kModelFile = QStringLiteral("model.pt");
const QString kSpecFile = QStringLiteral("model.json");
const QString kDefaultMerges = QStringLiteral("bpe_simple_vocab_16e6.txt.gz");

struct ModelSpec {
    QString name;
    int imageSize = 0;
    int embedDim = 0;
    int contextLength = 0;
    std::array<float, 3> mean{};
    std::array<float, 3> std{};
    QString mergesPath;
};

// libtorch messages carry C++ backtraces and TorchScript source excerpts;
// a person needs the first line ("Unknown builtin op: aten::...").
QString firstLine(const std::exception &e)
{
    const char *text = e.what();
    if (const auto *ce = dynamic_cast<const c10::Error *>(&e))
        text = ce->what_without_backtrace();
    const QStringList lines = QString::fromUtf8(text).split(QLatin1Char('\n'), Qt::SkipEmptyParts);
    for (const QString &l : lines) {
        if (!l.trimmed().isEmpty())
            return l.trimmed();
    }
    return QStringLiteral("unknown libtorch error");
}

Result<int> positiveInt(const QJsonObject &o, const QString &key, const QString &file)
{
    const QJsonValue v = o.value(key);
    if (v.isUndefined())
        return makeError(ErrorCode::ParseError, QStringLiteral("missing key \"%1\"").arg(key), file);
    if (!v.isDouble() || v.toDouble() != double(v.toInt()) || v.toInt() <= 0)
        return makeError(ErrorCode::ParseError, QStringLiteral("\"%1\" must be a positive integer").arg(key), file);
    return v.toInt();
}

Result<std::array<float, 3>> triple(const QJsonObject &o, const QString &key, std::array<float, 3> fallback,
                                    bool positive, const QString &file)
{
    const QJsonValue v = o.value(key);
    if (v.isUndefined())
        return fallback;
    const QJsonArray a = v.toArray();
    if (!v.isArray() || a.size() != 3)
        return makeError(ErrorCode::ParseError, QStringLiteral("\"%1\" must be an array of 3 numbers").arg(key), file);
    std::array<float, 3> out{};
    for (int i = 0; i < 3; ++i) {
        if (!a.at(i).isDouble() || (positive && a.at(i).toDouble() <= 0))
            return makeError(ErrorCode::ParseError,
                             QStringLiteral("\"%1\" must hold 3 %2numbers").arg(key, positive ? QStringLiteral("positive ") : QString()),
                             file);
        out[size_t(i)] = float(a.at(i).toDouble());
    }
    return out;
}

Result<ModelSpec> readSpec(const QDir &dir)
{
    const QString path = dir.filePath(kSpecFile);
    QFile f(path);
    if (!f.exists())
        return makeError(ErrorCode::NotFound, QStringLiteral("model folder has no model.json"), path);
    if (!f.open(QIODevice::ReadOnly))
        return makeError(ErrorCode::IoError, QStringLiteral("cannot read: %1").arg(f.errorString()), path);
    QJsonParseError err;
    const QJsonDocument doc = QJsonDocument::fromJson(f.readAll(), &err);
    if (err.error != QJsonParseError::NoError)
        return makeError(ErrorCode::ParseError,
                         QStringLiteral("malformed JSON at offset %1: %2").arg(err.offset).arg(err.errorString()), path);
    if (!doc.isObject())
        return makeError(ErrorCode::ParseError, QStringLiteral("expected a JSON object"), path);
    const QJsonObject o = doc.object();

    ModelSpec spec;
    spec.name = o.value(QStringLiteral("name")).toString();
    if (spec.name.isEmpty())
        return makeError(ErrorCode::ParseError, QStringLiteral("missing or empty \"name\""), path);
    auto size = positiveInt(o, QStringLiteral("image_size"), path);
    if (!size)
        return size.error();
    auto dim = positiveInt(o, QStringLiteral("embed_dim"), path);
    if (!dim)
        return dim.error();
    auto ctx = positiveInt(o, QStringLiteral("context_length"), path);
    if (!ctx)
        return ctx.error();
    if (*ctx < 2)
        return makeError(ErrorCode::ParseError, QStringLiteral("\"context_length\" must be at least 2"), path);
    const ClipPreprocessConfig clip;
    auto mean = triple(o, QStringLiteral("mean"), clip.mean, false, path);
    if (!mean)
        return mean.error();
    auto stdev = triple(o, QStringLiteral("std"), clip.std, true, path);
    if (!stdev)
        return stdev.error();
    spec.imageSize = *size;
    spec.embedDim = *dim;
    spec.contextLength = *ctx;
    spec.mean = *mean;
    spec.std = *stdev;
    const QJsonValue merges = o.value(QStringLiteral("merges"));
    if (!merges.isUndefined() && !merges.isString())
        return makeError(ErrorCode::ParseError, QStringLiteral("\"merges\" must be a path string"), path);
    spec.mergesPath = dir.absoluteFilePath(merges.isString() ? merges.toString() : kDefaultMerges);
    return spec;
}

QString shapeString(const at::Tensor &t)
{
    QStringList dims;
    for (const auto s : t.sizes())
        dims << QString::number(s);
    return QLatin1Char('[') + dims.join(QStringLiteral(", ")) + QLatin1Char(']');
}

} // namespace

struct TorchScriptEncoder::Impl {
    ModelSpec spec;
    torch::jit::Module module;
    torch::Device device{torch::kCPU};
    std::optional<ClipTokenizer> tokenizer;
    ClipPreprocess preprocess;
    int batch = 32;
    EncoderInfo info;
    std::mutex mutex;

    // One forward of `method` on input; checks the output is n x D and
    // returns it L2-normalised. Throws (the caller catches).
    Matrix forward(const char *method, const at::Tensor &input, qint64 n)
    {
        std::lock_guard lock(mutex);
        c10::InferenceMode inference;
        const torch::jit::IValue result = module.get_method(method)({input.to(device)});
        if (!result.isTensor())
            throw std::runtime_error(std::string(method) + " did not return a tensor");
        const at::Tensor t = result.toTensor();
        if (t.dim() != 2 || t.size(0) != n || t.size(1) != spec.embedDim)
            throw std::runtime_error(std::string(method) + " returned " + shapeString(t).toStdString() + ", expected ["
                                     + std::to_string(n) + ", " + std::to_string(spec.embedDim) + "]");
        const at::Tensor c = t.to(torch::kCPU, torch::kFloat32).contiguous();
        Matrix m(n, spec.embedDim);
        std::memcpy(m.data.data(), c.data_ptr<float>(), m.data.size() * sizeof(float));
        m.normalizeRows();
        return m;
    }

    Matrix forwardPixels(const float *pixels, qint64 n)
    {
        const int s = spec.imageSize;
        const at::Tensor input = torch::from_blob(const_cast<float *>(pixels), {n, 3, s, s}, torch::kFloat32);
        return forward("encode_image", input, n);
    }

    Matrix forwardTokens(std::vector<int64_t> &tokens, qint64 n)
    {
        const at::Tensor input = torch::from_blob(tokens.data(), {n, qint64(spec.contextLength)}, torch::kInt64);
        return forward("encode_text", input, n);
    }
};

TorchScriptEncoder::TorchScriptEncoder(std::unique_ptr<Impl> impl) : d(std::move(impl)) {}
TorchScriptEncoder::~TorchScriptEncoder() = default;

Result<std::shared_ptr<TorchScriptEncoder>> TorchScriptEncoder::open(const QString &modelDir, const QVariantMap &options)
{
    const QFileInfo dirInfo(modelDir);
    if (!dirInfo.isDir())
        return makeError(ErrorCode::NotFound, QStringLiteral("model folder does not exist"), modelDir);
    const QDir dir(dirInfo.absoluteFilePath());

    auto spec = readSpec(dir);
    if (!spec)
        return spec.error();
    const QString ptPath = dir.filePath(kModelFile);
    if (!QFileInfo(ptPath).isFile())
        return makeError(ErrorCode::NotFound, QStringLiteral("model folder has no model.pt"), ptPath);
    // Checked here too so the message does not depend on the tokenizer's wording.
    if (!QFileInfo(spec->mergesPath).isFile())
        return makeError(ErrorCode::NotFound, QStringLiteral("BPE merges file not found"), spec->mergesPath);
    auto tokenizer = ClipTokenizer::load(spec->mergesPath);
    if (!tokenizer)
        return tokenizer.error();

    auto impl = std::make_unique<Impl>();
    impl->spec = *spec;
    impl->tokenizer.emplace(std::move(tokenizer).value());
    impl->preprocess = ClipPreprocess(ClipPreprocessConfig{spec->imageSize, spec->mean, spec->std});
    bool okBatch = true;
    impl->batch = options.value(QStringLiteral("batch"), 32).toInt(&okBatch);
    if (!okBatch || impl->batch <= 0)
        return makeError(ErrorCode::InvalidArgument, QStringLiteral("option \"batch\" must be a positive integer"));

    const QString device = options.value(QStringLiteral("device"), QStringLiteral("cpu")).toString().toLower();
    if (device == QLatin1String("cuda")) {
        if (!at::hasCUDA())
            return makeError(ErrorCode::Unsupported,
                             QStringLiteral("device \"cuda\" requested, but this libtorch has no CUDA support or no GPU is visible"));
        impl->device = torch::Device(torch::kCUDA);
    } else if (device != QLatin1String("cpu")) {
        return makeError(ErrorCode::InvalidArgument,
                         QStringLiteral("unknown device \"%1\" (expected \"cpu\" or \"cuda\")").arg(device));
    }

    // Debian's libtorch starts with one intra-op thread; the setting is
    // process-wide and picked up lazily by every thread that runs a forward.
    int threads = options.value(QStringLiteral("threads"), 0).toInt();
    if (threads <= 0)
        threads = QThread::idealThreadCount();
    at::set_num_threads(std::max(threads, 1));

    try {
        impl->module = torch::jit::load(QFile::encodeName(ptPath).toStdString(), impl->device);
    } catch (const std::exception &e) {
        return makeError(ErrorCode::ParseError,
                         QStringLiteral("not a TorchScript model libtorch 1.13 can load: %1").arg(firstLine(e)), ptPath);
    }
    impl->module.eval();
    for (const char *method : {"encode_image", "encode_text"}) {
        if (!impl->module.find_method(method))
            return makeError(ErrorCode::ParseError,
                             QStringLiteral("TorchScript module has no method %1()").arg(QString::fromLatin1(method)), ptPath);
    }

    // A dummy forward of both towers at load: a wrong embed_dim or an export
    // that only works at its traced batch size fails here, not mid-run.
    try {
        const qint64 n = 2;
        std::vector<float> pixels(size_t(n) * size_t(impl->preprocess.floatsPerImage()), 0.0f);
        impl->forwardPixels(pixels.data(), n);
        std::vector<int64_t> tokens;
        for (qint64 i = 0; i < n; ++i) {
            const QVector<qint64> ids = impl->tokenizer->tokenize(QStringLiteral("a photo of a cat"), spec->contextLength);
            tokens.insert(tokens.end(), ids.begin(), ids.end());
        }
        impl->forwardTokens(tokens, n);
    } catch (const std::exception &e) {
        return makeError(ErrorCode::ParseError, QStringLiteral("check forward failed: %1").arg(firstLine(e)), ptPath);
    }

    impl->info.name = spec->name;
    impl->info.dimension = spec->embedDim;
    impl->info.clipFamily = true;
    impl->info.preprocessing =
        QStringLiteral("PIL-bicubic shorter side to %1, centre crop %1x%1, CLIP mean/std; BPE context %2; %3, %4 threads")
            .arg(spec->imageSize)
            .arg(spec->contextLength)
            .arg(device)
            .arg(at::get_num_threads());
    return std::shared_ptr<TorchScriptEncoder>(new TorchScriptEncoder(std::move(impl)));
}

EncoderInfo TorchScriptEncoder::info() const
{
    return d->info;
}

int TorchScriptEncoder::imageSize() const
{
    return d->spec.imageSize;
}

int TorchScriptEncoder::batchSize() const
{
    return d->batch;
}

Result<Matrix> TorchScriptEncoder::encodePixels(const float *pixels, qint64 n)
{
    if (n <= 0)
        return Matrix(0, d->spec.embedDim);
    try {
        return d->forwardPixels(pixels, n);
    } catch (const std::exception &e) {
        return makeError(ErrorCode::Internal, QStringLiteral("encode_image failed: %1").arg(firstLine(e)));
    }
}

Result<Matrix> TorchScriptEncoder::encodeImages(const QList<QImage> &images, JobContext &ctx)
{
    const qint64 n = images.size();
    for (qint64 i = 0; i < n; ++i) {
        if (images.at(i).isNull())
            return makeError(ErrorCode::InvalidArgument, QStringLiteral("image %1 of the batch is null").arg(i));
    }
    Matrix out(n, d->spec.embedDim);
    const qint64 batch = d->batch;
    const qsizetype perImage = d->preprocess.floatsPerImage();
    const ClipPreprocess &prep = d->preprocess;
    auto preprocessRange = [&images, &prep, perImage](qint64 begin, qint64 end) {
        std::vector<float> pixels(size_t((end - begin) * perImage));
        for (qint64 i = begin; i < end; ++i)
            prep.run(images.at(i), pixels.data() + (i - begin) * perImage);
        return pixels;
    };

    // Batch i+1 is preprocessed on a pool thread while batch i runs through
    // the model, so the model never waits for pixels once the pipe is full.
    QFuture<std::vector<float>> next;
    auto waitForNext = qScopeGuard([&next] {
        if (next.isValid())
            next.waitForFinished();
    });
    if (n > 0)
        next = QtConcurrent::run(preprocessRange, qint64(0), std::min(batch, n));
    for (qint64 begin = 0; begin < n; begin += batch) {
        const qint64 end = std::min(begin + batch, n);
        std::vector<float> pixels = next.takeResult();
        if (end < n)
            next = QtConcurrent::run(preprocessRange, end, std::min(end + batch, n));
        else
            next = {};
        if (ctx.isCanceled())
            return makeError(ErrorCode::Canceled, QStringLiteral("image encoding canceled"));
        try {
            const Matrix m = d->forwardPixels(pixels.data(), end - begin);
            std::copy(m.data.begin(), m.data.end(), out.row(begin));
        } catch (const std::exception &e) {
            return makeError(ErrorCode::Internal, QStringLiteral("encode_image failed: %1").arg(firstLine(e)));
        }
        ctx.progress(end, n, QStringLiteral("encoding images"));
    }
    return out;
}

Result<Matrix> TorchScriptEncoder::encodeTexts(const QStringList &texts, JobContext &ctx)
{
    const qint64 n = texts.size();
    const int c = d->spec.contextLength;
    Matrix out(n, d->spec.embedDim);
    for (qint64 begin = 0; begin < n; begin += d->batch) {
        if (ctx.isCanceled())
            return makeError(ErrorCode::Canceled, QStringLiteral("text encoding canceled"));
        const qint64 end = std::min<qint64>(begin + d->batch, n);
        std::vector<int64_t> tokens;
        tokens.reserve(size_t((end - begin) * c));
        for (qint64 i = begin; i < end; ++i) {
            const QVector<qint64> ids = d->tokenizer->tokenize(texts.at(i), c);
            if (ids.size() != c)
                return makeError(ErrorCode::Internal,
                                 QStringLiteral("tokenizer returned %1 ids, expected %2").arg(ids.size()).arg(c));
            tokens.insert(tokens.end(), ids.begin(), ids.end());
        }
        try {
            const Matrix m = d->forwardTokens(tokens, end - begin);
            std::copy(m.data.begin(), m.data.end(), out.row(begin));
        } catch (const std::exception &e) {
            return makeError(ErrorCode::Internal, QStringLiteral("encode_text failed: %1").arg(firstLine(e)));
        }
        ctx.progress(end, n, QStringLiteral("encoding texts"));
    }
    return out;
}

QString TorchScriptEncoder::libtorchVersion()
{
    return QStringLiteral("%1.%2.%3").arg(TORCH_VERSION_MAJOR).arg(TORCH_VERSION_MINOR).arg(TORCH_VERSION_PATCH);
}

} // namespace rs
