#include "core/embed/builtinencoder.h"

#include "core/embed/detail/cca.h"
#include "core/embed/detail/imagedescriptor.h"
#include "core/embed/detail/sparsesvd.h"
#include "core/embed/detail/texthasher.h"
#include "core/store/projectstore.h"

#include <QCryptographicHash>
#include <QDataStream>
#include <QFile>
#include <QFileInfo>
#include <QSaveFile>

#include <opencv2/core.hpp>

#include <algorithm>
#include <atomic>
#include <bit>
#include <cmath>
#include <cstring>
#include <exception>
#include <mutex>
#include <numeric>

namespace rs {

using detail::DenseMatrix;
using detail::SparseVector;
using detail::TermCounts;
using detail::TextHasher;

namespace {

const QString kEncoderName = QStringLiteral("builtin-corpus-cca-v1");
constexpr char kMagic[8] = {'R', 'S', 'B', 'E', 'N', 'C', '\r', '\n'};
constexpr quint32 kFormatVersion = 1;
constexpr int kHeaderSize = 8 + 4 + 4 + 8 + 32;
constexpr int kBatch = 64;             // progress and cancellation granularity
constexpr int kMaxSvdRows = 20000;     // texts that shape the text-side SVD
// Components are weighted by their correlation: weakly aligned directions
// (mostly noise on small corpora) then count less in cosine similarity.
constexpr double kComponentPower = 1.0;

// Runs fn(i) for i in [0, n) on up to `threads` workers (0 = all). Each
// index writes only its own output, so the split never changes results.
// OpenCV runs one stripe per task: `threads` stripes cap the concurrency.
template <typename Fn>
void forEachIndex(int n, int threads, Fn fn)
{
    if (threads == 1 || n < 2) {
        for (int i = 0; i < n; ++i)
            fn(i);
        return;
    }
    cv::parallel_for_(
        cv::Range(0, n),
        [&](const cv::Range &r) {
            for (int i = r.start; i < r.end; ++i)
                fn(i);
        },
        threads > 1 ? double(threads) : -1.0);
}

quint64 splitMix(quint64 &state)
{
    quint64 z = (state += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
}

template <typename T>
void writeArray(QDataStream &out, const std::vector<T> &v)
{
    out << quint64(v.size());
    for (const T &x : v)
        out << x;
}

template <typename T>
bool readArray(QDataStream &in, std::vector<T> &v, quint64 maxCount)
{
    quint64 n = 0;
    in >> n;
    if (in.status() != QDataStream::Ok || n > maxCount)
        return false;
    v.resize(size_t(n));
    for (T &x : v)
        in >> x;
    return in.status() == QDataStream::Ok;
}

QString rangeHint(const QString &name, double value)
{
    return name + QStringLiteral(" = ") + QString::number(value);
}

} // namespace

struct BuiltinEncoder::Model {
    BuiltinEncoderOptions options;
    int dimension = 0;
    qint64 fitPairs = 0;
    qint64 fitImages = 0;
    // Image side: e = ((f - imageMean) .* imageScale) * imageProj.
    std::vector<float> imageMean;  // p
    std::vector<float> imageScale; // p (0 for a constant descriptor entry)
    std::vector<float> imageProj;  // p x d
    // Text side: e = tfidf(text) * textProj[rows of textBuckets] - textOffset.
    std::vector<float> idf;          // textBuckets
    std::vector<qint32> textBuckets; // m used buckets, increasing
    std::vector<float> textProj;     // m x d
    std::vector<float> textOffset;   // d
    std::vector<quint64> knownWords; // sorted unigram hashes with a direction
    std::vector<double> correlations; // d
    // Derived on construction, not saved.
    std::vector<int> bucketRow; // bucket -> row of textProj, or -1

    void buildIndex()
    {
        bucketRow.assign(size_t(options.textBuckets), -1);
        for (size_t i = 0; i < textBuckets.size(); ++i)
            bucketRow[size_t(textBuckets[i])] = int(i);
    }

    void encodeText(const QString &text, const TextHasher &hasher, float *out) const
    {
        const SparseVector v = hasher.tfidf(TextHasher::terms(text));
        std::vector<double> acc(size_t(dimension), 0.0);
        for (size_t e = 0; e < v.index.size(); ++e) {
            const int row = bucketRow[size_t(v.index[e])];
            if (row < 0)
                continue;
            const float *proj = textProj.data() + size_t(row) * size_t(dimension);
            for (int j = 0; j < dimension; ++j)
                acc[size_t(j)] += double(v.value[e]) * proj[j];
        }
        writeUnit(acc, textOffset.data(), out);
    }

    void encodeDescriptor(const float *f, float *out) const
    {
        const int p = int(imageMean.size());
        std::vector<double> acc(size_t(dimension), 0.0);
        for (int i = 0; i < p; ++i) {
            const double z = (double(f[i]) - imageMean[size_t(i)]) * imageScale[size_t(i)];
            if (z == 0)
                continue;
            const float *proj = imageProj.data() + size_t(i) * size_t(dimension);
            for (int j = 0; j < dimension; ++j)
                acc[size_t(j)] += z * proj[j];
        }
        writeUnit(acc, nullptr, out);
    }

    void writeUnit(std::vector<double> &acc, const float *offset, float *out) const
    {
        double norm = 0;
        for (int j = 0; j < dimension; ++j) {
            if (offset)
                acc[size_t(j)] -= offset[j];
            norm += acc[size_t(j)] * acc[size_t(j)];
        }
        const double inv = norm > 0 ? 1.0 / std::sqrt(norm) : 0.0;
        for (int j = 0; j < dimension; ++j)
            out[j] = float(acc[size_t(j)] * inv);
    }
};

BuiltinEncoder::BuiltinEncoder(std::shared_ptr<const Model> model) : m_model(std::move(model)) {}

int BuiltinEncoder::descriptorLength()
{
    return detail::imageDescriptorLength();
}

bool BuiltinEncoder::describeImage(const QImage &image, float *out)
{
    return !image.isNull() && detail::computeImageDescriptor(image, out);
}

Result<std::shared_ptr<BuiltinEncoder>> BuiltinEncoder::fit(const QList<QImage> &images,
                                                            const QVector<AlignedPair> &pairs,
                                                            const QStringList &corpusTexts,
                                                            const BuiltinEncoderOptions &opts,
                                                            JobContext &ctx)
{
    for (int i = 0; i < pairs.size(); ++i) {
        const qint64 index = pairs[i].imageIndex;
        if (index >= 0 && index < images.size() && images[int(index)].isNull())
            return makeError(ErrorCode::InvalidArgument,
                             QStringLiteral("pair %1 references image %2, which is null").arg(i).arg(index),
                             QStringLiteral("builtin encoder fit"));
    }
    return fitWith(images.size(), [&images](qint64 index, float *out) { detail::computeImageDescriptor(images[int(index)], out); },
                   pairs, corpusTexts, opts, ctx);
}

Result<std::shared_ptr<BuiltinEncoder>> BuiltinEncoder::fitDescribed(const std::vector<float> &descriptors,
                                                                     const QVector<AlignedPair> &pairs,
                                                                     const QStringList &corpusTexts,
                                                                     const BuiltinEncoderOptions &opts,
                                                                     JobContext &ctx)
{
    const size_t p = size_t(detail::imageDescriptorLength());
    if (descriptors.size() % p != 0)
        return makeError(ErrorCode::InvalidArgument,
                         QStringLiteral("%1 descriptor values are not whole rows of %2").arg(descriptors.size()).arg(p),
                         QStringLiteral("builtin encoder fit"));
    return fitWith(qint64(descriptors.size() / p),
                   [&descriptors, p](qint64 index, float *out) { std::copy_n(descriptors.data() + size_t(index) * p, p, out); },
                   pairs, corpusTexts, opts, ctx);
}

Result<std::shared_ptr<BuiltinEncoder>> BuiltinEncoder::fitWith(qint64 imageCount,
                                                                const std::function<void(qint64, float *)> &describe,
                                                                const QVector<AlignedPair> &pairs,
                                                                const QStringList &corpusTexts,
                                                                const BuiltinEncoderOptions &opts,
                                                                JobContext &ctx)
{
    const QString where = QStringLiteral("builtin encoder fit");
    if (opts.dimension < 1 || opts.dimension > 1024)
        return makeError(ErrorCode::InvalidArgument, QStringLiteral("dimension must be in 1..1024"),
                         rangeHint(QStringLiteral("dimension"), opts.dimension));
    if (!std::isfinite(opts.regularization) || opts.regularization < 0 || opts.regularization > 1e3)
        return makeError(ErrorCode::InvalidArgument, QStringLiteral("regularization must be in 0..1000"),
                         rangeHint(QStringLiteral("regularization"), opts.regularization));
    if (opts.textBuckets < 64 || opts.textBuckets > (1 << 24))
        return makeError(ErrorCode::InvalidArgument, QStringLiteral("textBuckets must be in 64..2^24"),
                         rangeHint(QStringLiteral("textBuckets"), opts.textBuckets));
    if (opts.textReducedDim < 1 || opts.textReducedDim > 4096)
        return makeError(ErrorCode::InvalidArgument, QStringLiteral("textReducedDim must be in 1..4096"),
                         rangeHint(QStringLiteral("textReducedDim"), opts.textReducedDim));
    if (pairs.size() < kMinPairs)
        return makeError(ErrorCode::InvalidArgument,
                         QStringLiteral("too few image–text pairs to fit the built-in encoder: "
                                        "%1 given, at least %2 needed")
                             .arg(pairs.size())
                             .arg(kMinPairs),
                         where);

    try {
        // 1. Validate pairs; drop those whose text has no words.
        std::vector<int> pairIndex; // usable pairs
        std::vector<TermCounts> pairTerms;
        for (int i = 0; i < pairs.size(); ++i) {
            const AlignedPair &p = pairs[i];
            if (p.imageIndex < 0 || p.imageIndex >= imageCount)
                return makeError(ErrorCode::InvalidArgument,
                                 QStringLiteral("pair %1 references image %2, but there are %3 images")
                                     .arg(i)
                                     .arg(p.imageIndex)
                                     .arg(imageCount),
                                 where);
            if (!std::isfinite(p.weight) || p.weight <= 0)
                return makeError(ErrorCode::InvalidArgument,
                                 QStringLiteral("pair %1 has weight %2; weights must be positive")
                                     .arg(i)
                                     .arg(p.weight),
                                 where);
            TermCounts terms = TextHasher::terms(p.text);
            if (terms.hashes.empty()) {
                ctx.warn(QStringLiteral("pair %1 skipped: its text has no words").arg(i), where, p.imageIndex);
                continue;
            }
            pairIndex.push_back(i);
            pairTerms.push_back(std::move(terms));
        }
        const int n = int(pairIndex.size());
        if (n < kMinPairs)
            return makeError(ErrorCode::InvalidArgument,
                             QStringLiteral("too few image–text pairs with words: %1, at least %2 needed")
                                 .arg(n)
                                 .arg(kMinPairs),
                             where);

        // 2. Descriptors of the distinct images the pairs reference.
        std::vector<int> imageRow(size_t(imageCount), -1);
        std::vector<int> distinct;
        for (int i : pairIndex) {
            const int img = int(pairs[i].imageIndex);
            if (imageRow[size_t(img)] < 0) {
                imageRow[size_t(img)] = int(distinct.size());
                distinct.push_back(img);
            }
        }
        if (int(distinct.size()) < kMinImages)
            return makeError(ErrorCode::InvalidArgument,
                             QStringLiteral("the pairs reference only %1 distinct images, at least %2 needed")
                                 .arg(distinct.size())
                                 .arg(kMinImages),
                             where);
        const int p = detail::imageDescriptorLength();
        std::vector<float> desc(distinct.size() * size_t(p));
        const int total = int(distinct.size());
        for (int b = 0; b < total; b += kBatch) {
            if (ctx.isCanceled())
                return makeError(ErrorCode::Canceled, QStringLiteral("canceled"), where);
            const int end = std::min(total, b + kBatch);
            forEachIndex(end - b, ctx.threads(), [&](int k) {
                const int row = b + k;
                describe(distinct[size_t(row)], desc.data() + size_t(row) * size_t(p));
            });
            ctx.progress(end, total, QStringLiteral("Describing images for the built-in encoder"));
        }

        auto model = std::make_shared<Model>();
        model->options = opts;
        model->fitPairs = n;
        model->fitImages = total;

        // Standardise each descriptor entry over the distinct images.
        std::vector<double> mu(size_t(p), 0.0), sd(size_t(p), 0.0);
        for (int r = 0; r < total; ++r)
            for (int j = 0; j < p; ++j)
                mu[size_t(j)] += desc[size_t(r) * size_t(p) + size_t(j)];
        for (double &m : mu)
            m /= total;
        for (int r = 0; r < total; ++r)
            for (int j = 0; j < p; ++j) {
                const double d = desc[size_t(r) * size_t(p) + size_t(j)] - mu[size_t(j)];
                sd[size_t(j)] += d * d;
            }
        std::vector<double> scale(size_t(p), 0.0);
        for (int j = 0; j < p; ++j) {
            const double s = std::sqrt(sd[size_t(j)] / total);
            scale[size_t(j)] = s > 1e-6 ? 1.0 / s : 0.0;
        }
        DenseMatrix a(n, p);
        for (int r = 0; r < n; ++r) {
            const float *f = desc.data() + size_t(imageRow[size_t(pairs[pairIndex[size_t(r)]].imageIndex)]) * size_t(p);
            for (int j = 0; j < p; ++j)
                a.row(r)[j] = (f[j] - mu[size_t(j)]) * scale[size_t(j)];
        }

        // 3. Document frequencies over the corpus (or the pair texts).
        const int buckets = opts.textBuckets;
        const TextHasher plain(buckets, {});
        std::vector<qint64> df(size_t(buckets), 0);
        qint64 documents = 0;
        if (!corpusTexts.isEmpty()) {
            std::mutex merge;
            documents = corpusTexts.size();
            // Few large stripes: each merges a bucket-sized array under the lock.
            const int stripes = std::max(1, std::min(int(corpusTexts.size() / 256), 4 * cv::getNumThreads()));
            cv::parallel_for_(
                cv::Range(0, int(corpusTexts.size())),
                [&](const cv::Range &r) {
                    std::vector<qint64> local(size_t(buckets), 0);
                    for (int i = r.start; i < r.end; ++i)
                        for (int bucket : plain.bucketsOf(TextHasher::terms(corpusTexts[i])))
                            ++local[size_t(bucket)];
                    std::lock_guard lock(merge);
                    for (size_t k = 0; k < local.size(); ++k)
                        df[k] += local[k];
                },
                ctx.threads() > 0 ? std::min(double(stripes), double(ctx.threads())) : double(stripes));
        } else {
            documents = n;
            for (const TermCounts &t : pairTerms)
                for (int bucket : plain.bucketsOf(t))
                    ++df[size_t(bucket)];
        }
        model->idf = TextHasher::idfFromCounts(df, documents);
        const TextHasher hasher(buckets, model->idf);
        if (ctx.isCanceled())
            return makeError(ErrorCode::Canceled, QStringLiteral("canceled"), where);

        // 4. The SVD sees the pair texts plus a seeded sample of the corpus,
        // so that corpus words co-occurring with caption words get a direction.
        std::vector<TermCounts> svdTerms = pairTerms;
        std::vector<const QString *> svdTexts;
        for (int i : pairIndex)
            svdTexts.push_back(&pairs[i].text);
        {
            std::vector<int> order(size_t(corpusTexts.size()));
            std::iota(order.begin(), order.end(), 0);
            quint64 state = opts.seed;
            for (size_t i = order.size(); i > 1; --i)
                std::swap(order[i - 1], order[size_t(splitMix(state) % i)]);
            const size_t room = size_t(std::max(0, kMaxSvdRows - n));
            order.resize(std::min(order.size(), room));
            std::sort(order.begin(), order.end());
            for (int i : order) {
                TermCounts t = TextHasher::terms(corpusTexts[i]);
                if (!t.hashes.empty()) {
                    svdTerms.push_back(std::move(t));
                    svdTexts.push_back(&corpusTexts[i]);
                }
            }
        }
        std::vector<SparseVector> svdRows(svdTerms.size());
        forEachIndex(int(svdTerms.size()), ctx.threads(),
                     [&](int i) { svdRows[size_t(i)] = hasher.tfidf(svdTerms[size_t(i)]); });
        std::vector<int> compact(size_t(buckets), -1);
        for (const SparseVector &v : svdRows)
            for (int bucket : v.index)
                compact[size_t(bucket)] = 0;
        for (int bucket = 0; bucket < buckets; ++bucket)
            if (compact[size_t(bucket)] == 0) {
                compact[size_t(bucket)] = int(model->textBuckets.size());
                model->textBuckets.push_back(bucket);
            }
        const int m = int(model->textBuckets.size());
        detail::SparseRows x;
        x.cols = m;
        for (SparseVector &v : svdRows) {
            for (int &bucket : v.index)
                bucket = compact[size_t(bucket)];
            x.append(v);
        }
        const int rank = std::min({opts.textReducedDim, x.rows() - 1, m});
        if (rank < 1)
            return makeError(ErrorCode::InvalidArgument, QStringLiteral("the texts have too few distinct words"),
                             where);
        ctx.progress(0, 1, QStringLiteral("Reducing text features"));
        const detail::SvdBasis basis = detail::randomizedSvd(x, rank, opts.seed);
        const int r = basis.vectors.cols;

        // Reduced text features of the pairs: rows 0..n-1 of x.
        DenseMatrix t(n, r);
        for (int i = 0; i < n; ++i)
            for (qint64 e = x.start[size_t(i)]; e < x.start[size_t(i) + 1]; ++e) {
                const double v = x.value[size_t(e)];
                const double *src = basis.vectors.row(x.index[size_t(e)]);
                double *dst = t.row(i);
                for (int j = 0; j < r; ++j)
                    dst[j] += v * src[j];
            }

        // 5. CCA. On small corpora the covariances are rank-deficient (fewer
        // pairs than dimensions), so the shrinkage is raised with the
        // dimension-to-sample ratio; large corpora keep the asked value.
        std::vector<double> weights;
        weights.reserve(size_t(n));
        for (int i : pairIndex)
            weights.push_back(pairs[i].weight);
        const double autoReg = 0.1 * double(std::max(p, r)) / double(n);
        const double reg = std::max(opts.regularization, std::min(1.0, autoReg));
        ctx.progress(0, 1, QStringLiteral("Aligning images and texts"));
        Result<detail::CcaModel> cca = detail::fitCca(a, t, weights, opts.dimension, reg, kComponentPower);
        if (!cca)
            return makeError(cca.error().code, cca.error().message, where);
        const int d = cca->projA.cols;
        model->dimension = d;
        model->correlations = cca->correlations;

        // Fold standardisation and centring into mean/scale/projection.
        model->imageMean.resize(size_t(p));
        model->imageScale.resize(size_t(p));
        model->imageProj.resize(size_t(p) * size_t(d));
        for (int j = 0; j < p; ++j) {
            const double s = scale[size_t(j)];
            model->imageMean[size_t(j)] = float(s > 0 ? mu[size_t(j)] + cca->meanA[size_t(j)] / s : mu[size_t(j)]);
            model->imageScale[size_t(j)] = float(s);
            for (int k = 0; k < d; ++k)
                model->imageProj[size_t(j) * size_t(d) + size_t(k)] = float(cca->projA.row(j)[k]);
        }
        model->textProj.assign(size_t(m) * size_t(d), 0.0f);
        for (int row = 0; row < m; ++row) {
            const double *v = basis.vectors.row(row);
            for (int k = 0; k < d; ++k) {
                double sum = 0;
                for (int j = 0; j < r; ++j)
                    sum += v[j] * cca->projB.row(j)[k];
                model->textProj[size_t(row) * size_t(d) + size_t(k)] = float(sum);
            }
        }
        model->textOffset.assign(size_t(d), 0.0f);
        for (int k = 0; k < d; ++k) {
            double sum = 0;
            for (int j = 0; j < r; ++j)
                sum += cca->meanB[size_t(j)] * cca->projB.row(j)[k];
            model->textOffset[size_t(k)] = float(sum);
        }

        // Known words: unigrams of the SVD texts whose bucket got a direction.
        std::vector<quint64> known;
        for (const QString *text : svdTexts)
            for (const QString &w : TextHasher::words(*text))
                known.push_back(TextHasher::wordHash(w));
        std::sort(known.begin(), known.end());
        known.erase(std::unique(known.begin(), known.end()), known.end());
        for (quint64 h : known) {
            const int row = compact[size_t(hasher.bucketOf(h))];
            if (row < 0)
                continue;
            double norm = 0;
            for (int k = 0; k < d; ++k)
                norm += std::abs(model->textProj[size_t(row) * size_t(d) + size_t(k)]);
            if (norm > 1e-9)
                model->knownWords.push_back(h);
        }
        model->buildIndex();

        QStringList top;
        for (int k = 0; k < std::min(d, 4); ++k)
            top << QString::number(model->correlations[size_t(k)], 'f', 3);
        ctx.report(JobIssue{Severity::Info,
                            QStringLiteral("built-in encoder fitted on %1 pairs (%2 images, %3 text rows, "
                                           "text rank %4, shrinkage %5): d = %6, top correlations %7")
                                .arg(n)
                                .arg(total)
                                .arg(x.rows())
                                .arg(r)
                                .arg(reg, 0, 'g', 3)
                                .arg(d)
                                .arg(top.join(QStringLiteral(", "))),
                            -1, where});
        return std::make_shared<BuiltinEncoder>(std::move(model));
    } catch (const std::exception &e) {
        return makeError(ErrorCode::Internal, QStringLiteral("fitting failed: ") + QString::fromUtf8(e.what()),
                         where);
    }
}

EncoderInfo BuiltinEncoder::info() const
{
    EncoderInfo info;
    info.name = kEncoderName;
    info.dimension = m_model->dimension;
    info.clipFamily = false;
    info.preprocessing = QStringLiteral(
        "Not CLIP: images downscaled to 128 px and described by OpenCV colour, texture, edge and layout "
        "statistics; texts lower-cased into hashed word and bigram TF-IDF; both aligned by a CCA fitted on "
        "this corpus's image–text pairs (%1 pairs, d = %2)")
                             .arg(m_model->fitPairs)
                             .arg(m_model->dimension);
    return info;
}

Result<Matrix> BuiltinEncoder::encodeImages(const QList<QImage> &images, JobContext &ctx)
{
    const QString where = QStringLiteral("builtin encoder");
    const Model &model = *m_model;
    const int p = detail::imageDescriptorLength();
    if (int(model.imageMean.size()) != p)
        return makeError(ErrorCode::Internal, QStringLiteral("model and descriptor lengths differ"), where);
    Matrix out(images.size(), model.dimension);
    const int total = int(images.size());
    try {
        for (int b = 0; b < total; b += kBatch) {
            if (ctx.isCanceled())
                return makeError(ErrorCode::Canceled, QStringLiteral("canceled"), where);
            const int end = std::min(total, b + kBatch);
            std::atomic<int> firstNull{total};
            forEachIndex(end - b, ctx.threads(), [&](int k) {
                const int i = b + k;
                std::vector<float> f(static_cast<size_t>(p));
                if (!detail::computeImageDescriptor(images[i], f.data())) {
                    int seen = firstNull.load();
                    while (i < seen && !firstNull.compare_exchange_weak(seen, i)) {
                    }
                    return;
                }
                model.encodeDescriptor(f.data(), out.row(i));
            });
            if (firstNull.load() < total)
                return makeError(ErrorCode::InvalidArgument,
                                 QStringLiteral("image %1 of the batch is null").arg(firstNull.load()), where);
            ctx.progress(end, total, QStringLiteral("Encoding images (built-in)"));
        }
    } catch (const std::exception &e) {
        return makeError(ErrorCode::Internal, QStringLiteral("image encoding failed: ") + QString::fromUtf8(e.what()),
                         where);
    }
    return out;
}

Result<Matrix> BuiltinEncoder::encodeTexts(const QStringList &texts, JobContext &ctx)
{
    const QString where = QStringLiteral("builtin encoder");
    const Model &model = *m_model;
    const TextHasher hasher(model.options.textBuckets, model.idf);
    Matrix out(texts.size(), model.dimension);
    const int total = int(texts.size());
    const int batch = 16 * kBatch; // texts are ~100x cheaper than images
    try {
        for (int b = 0; b < total; b += batch) {
            if (ctx.isCanceled())
                return makeError(ErrorCode::Canceled, QStringLiteral("canceled"), where);
            const int end = std::min(total, b + batch);
            forEachIndex(end - b, ctx.threads(),
                         [&](int k) { model.encodeText(texts[b + k], hasher, out.row(b + k)); });
            ctx.progress(end, total, QStringLiteral("Encoding texts (built-in)"));
        }
    } catch (const std::exception &e) {
        return makeError(ErrorCode::Internal, QStringLiteral("text encoding failed: ") + QString::fromUtf8(e.what()),
                         where);
    }
    return out;
}

bool BuiltinEncoder::knowsWord(const QString &word) const
{
    const QStringList words = TextHasher::words(word);
    if (words.isEmpty())
        return false;
    for (const QString &w : words)
        if (!std::binary_search(m_model->knownWords.begin(), m_model->knownWords.end(), TextHasher::wordHash(w)))
            return false;
    return true;
}

std::vector<double> BuiltinEncoder::correlations() const
{
    return m_model->correlations;
}

Status BuiltinEncoder::save(const QString &path) const
{
    const Model &model = *m_model;
    QByteArray payload;
    {
        QDataStream out(&payload, QIODevice::WriteOnly);
        out.setVersion(QDataStream::Qt_6_4);
        out.setByteOrder(QDataStream::LittleEndian);
        out.setFloatingPointPrecision(QDataStream::SinglePrecision);
        out << kEncoderName;
        out << qint32(model.options.dimension) << std::bit_cast<quint64>(model.options.regularization) << qint32(model.options.textBuckets)
            << qint32(model.options.textReducedDim) << model.options.seed;
        out << qint32(model.dimension) << model.fitPairs << model.fitImages;
        writeArray(out, model.imageMean);
        writeArray(out, model.imageScale);
        writeArray(out, model.imageProj);
        writeArray(out, model.idf);
        writeArray(out, model.textBuckets);
        writeArray(out, model.textProj);
        writeArray(out, model.textOffset);
        writeArray(out, model.knownWords);
        out.setFloatingPointPrecision(QDataStream::DoublePrecision);
        writeArray(out, model.correlations);
        if (out.status() != QDataStream::Ok)
            return makeError(ErrorCode::Internal, QStringLiteral("could not serialise the model"), path);
    }
    QByteArray header(kMagic, sizeof kMagic);
    {
        QDataStream out(&header, QIODevice::Append);
        out.setByteOrder(QDataStream::LittleEndian);
        out << kFormatVersion << quint32(0) << quint64(payload.size());
    }
    header += QCryptographicHash::hash(payload, QCryptographicHash::Sha256);

    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly))
        return makeError(ErrorCode::IoError, QStringLiteral("cannot write: ") + file.errorString(), path);
    if (file.write(header) != header.size() || file.write(payload) != payload.size())
        return makeError(ErrorCode::IoError, QStringLiteral("write failed: ") + file.errorString(), path);
    if (!file.commit())
        return makeError(ErrorCode::IoError, QStringLiteral("could not finish writing: ") + file.errorString(), path);
    return {};
}

QString BuiltinEncoder::projectModelPath(ProjectStore &store)
{
    return store.sidePath(QStringLiteral("models/builtin-encoder.bin"));
}

Result<std::shared_ptr<BuiltinEncoder>> BuiltinEncoder::load(const QString &path)
{
    if (!QFileInfo::exists(path))
        return makeError(ErrorCode::NotFound, QStringLiteral("model file not found"), path);
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return makeError(ErrorCode::IoError, QStringLiteral("cannot read: ") + file.errorString(), path);
    const QByteArray bytes = file.readAll();
    if (bytes.size() < qsizetype(sizeof kMagic) || std::memcmp(bytes.constData(), kMagic, sizeof kMagic) != 0)
        return makeError(ErrorCode::ParseError, QStringLiteral("not a built-in encoder model file (bad magic)"), path);
    if (bytes.size() < kHeaderSize)
        return makeError(ErrorCode::ParseError,
                         QStringLiteral("truncated model file: %1 bytes, the header alone is %2")
                             .arg(bytes.size())
                             .arg(kHeaderSize),
                         path);
    quint32 version = 0, flags = 0;
    quint64 length = 0;
    {
        QDataStream in(bytes.mid(sizeof kMagic, 16));
        in.setByteOrder(QDataStream::LittleEndian);
        in >> version >> flags >> length;
    }
    if (version != kFormatVersion)
        return makeError(version > kFormatVersion ? ErrorCode::Unsupported : ErrorCode::ParseError,
                         QStringLiteral("model format version %1; this build reads version %2")
                             .arg(version)
                             .arg(kFormatVersion),
                         path);
    const quint64 available = quint64(bytes.size() - kHeaderSize);
    if (length != available)
        return makeError(ErrorCode::ParseError,
                         length > available
                             ? QStringLiteral("truncated model file: payload of %1 bytes expected, %2 present")
                                   .arg(length)
                                   .arg(available)
                             : QStringLiteral("model file has %1 unexpected bytes after the payload")
                                   .arg(available - length),
                         path);
    const QByteArray payload = bytes.mid(kHeaderSize);
    if (QCryptographicHash::hash(payload, QCryptographicHash::Sha256) != bytes.mid(24, 32))
        return makeError(ErrorCode::ParseError, QStringLiteral("model file is corrupt (checksum mismatch)"), path);

    auto model = std::make_shared<Model>();
    QDataStream in(payload);
    in.setVersion(QDataStream::Qt_6_4);
    in.setByteOrder(QDataStream::LittleEndian);
    in.setFloatingPointPrecision(QDataStream::SinglePrecision);
    QString name;
    qint32 dimOpt = 0, buckets = 0, reducedDim = 0, dimension = 0;
    quint64 regBits = 0;
    in >> name >> dimOpt >> regBits >> buckets >> reducedDim >> model->options.seed;
    in >> dimension >> model->fitPairs >> model->fitImages;
    model->options.dimension = dimOpt;
    model->options.regularization = std::bit_cast<double>(regBits);
    model->options.textBuckets = buckets;
    model->options.textReducedDim = reducedDim;
    model->dimension = dimension;
    const quint64 maxCount = quint64(payload.size()); // no array can hold more entries than bytes
    bool ok = in.status() == QDataStream::Ok && name == kEncoderName;
    ok = ok && readArray(in, model->imageMean, maxCount) && readArray(in, model->imageScale, maxCount)
        && readArray(in, model->imageProj, maxCount) && readArray(in, model->idf, maxCount)
        && readArray(in, model->textBuckets, maxCount) && readArray(in, model->textProj, maxCount)
        && readArray(in, model->textOffset, maxCount) && readArray(in, model->knownWords, maxCount);
    in.setFloatingPointPrecision(QDataStream::DoublePrecision);
    ok = ok && readArray(in, model->correlations, maxCount) && in.atEnd();
    if (!ok)
        return makeError(ErrorCode::ParseError, QStringLiteral("model payload is malformed"), path);

    // Shapes must agree with each other and with this build's descriptor.
    const size_t p = size_t(detail::imageDescriptorLength());
    const size_t d = size_t(std::max(0, dimension));
    bool consistent = dimension >= 1 && buckets >= 1 && model->imageMean.size() == p
        && model->imageScale.size() == p && model->imageProj.size() == p * d && model->idf.size() == size_t(buckets)
        && model->textProj.size() == model->textBuckets.size() * d && model->textOffset.size() == d
        && model->correlations.size() == d;
    for (size_t i = 0; consistent && i < model->textBuckets.size(); ++i)
        consistent = model->textBuckets[i] >= 0 && model->textBuckets[i] < buckets
            && (i == 0 || model->textBuckets[i] > model->textBuckets[i - 1]);
    if (!consistent)
        return makeError(ErrorCode::ParseError,
                         QStringLiteral("model arrays have inconsistent sizes (made by another descriptor layout?)"),
                         path);
    model->buildIndex();
    return std::make_shared<BuiltinEncoder>(std::move(model));
}

} // namespace rs
