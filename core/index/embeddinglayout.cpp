#include "core/index/embeddinglayout.h"

#include "core/embed/embeddedimages.h"
#include "core/index/kmeans.h"
#include "core/index/retriever.h"
#include "core/store/projectstore.h"

#include <QCryptographicHash>
#include <QDataStream>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QSaveFile>

#include <algorithm>
#include <cmath>
#include <numeric>
#include <random>

namespace rs {

namespace {

constexpr char kMagic[8] = {'R', 'S', 'M', 'A', 'P', '0', '0', '1'};
// Bumped when the algorithms change what they compute: old caches then miss.
constexpr int kAlgorithmVersion = 1;

// Knuth's selection sampling: `count` distinct indices of [0, n), ascending,
// the same for the same seed.
std::vector<qint64> sampleRows(qint64 n, qint64 count, quint64 seed)
{
    std::vector<qint64> out;
    if (count >= n) {
        out.resize(size_t(n));
        std::iota(out.begin(), out.end(), 0);
        return out;
    }
    out.reserve(size_t(count));
    std::mt19937_64 rng(seed ^ 0x6a09e667f3bcc909ULL);
    std::uniform_real_distribution<double> u(0.0, 1.0);
    for (qint64 i = 0; i < n && qint64(out.size()) < count; ++i)
        if (u(rng) * double(n - i) < double(count - qint64(out.size())))
            out.push_back(i);
    return out;
}

// Eigen-decomposition of the symmetric d x d matrix `a` (row-major, destroyed)
// by cyclic Jacobi rotations: exact to rounding, and d is at most a few
// thousand (the embedding width), so d^3 per sweep is affordable.
void jacobiEigen(std::vector<double> &a, int d, std::vector<double> &values, std::vector<double> &vectors)
{
    vectors.assign(size_t(d) * d, 0.0);
    for (int i = 0; i < d; ++i)
        vectors[size_t(i) * d + i] = 1.0;
    const auto at = [&a, d](int r, int c) -> double & { return a[size_t(r) * d + c]; };
    double total = 0;
    for (double v : a)
        total += v * v;
    for (int sweep = 0; sweep < 60; ++sweep) {
        double off = 0;
        for (int p = 0; p < d; ++p)
            for (int q = p + 1; q < d; ++q)
                off += at(p, q) * at(p, q);
        if (off <= 1e-24 * std::max(total, 1e-300))
            break;
        for (int p = 0; p < d; ++p) {
            for (int q = p + 1; q < d; ++q) {
                const double apq = at(p, q);
                if (std::abs(apq) < 1e-300)
                    continue;
                const double theta = (at(q, q) - at(p, p)) / (2 * apq);
                const double t = (theta >= 0 ? 1.0 : -1.0) / (std::abs(theta) + std::sqrt(theta * theta + 1));
                const double c = 1 / std::sqrt(t * t + 1), s = t * c;
                for (int k = 0; k < d; ++k) { // columns p, q
                    const double akp = at(k, p), akq = at(k, q);
                    at(k, p) = c * akp - s * akq;
                    at(k, q) = s * akp + c * akq;
                }
                for (int k = 0; k < d; ++k) { // rows p, q
                    const double apk = at(p, k), aqk = at(q, k);
                    at(p, k) = c * apk - s * aqk;
                    at(q, k) = s * apk + c * aqk;
                }
                for (int k = 0; k < d; ++k) {
                    double &vkp = vectors[size_t(k) * d + p], &vkq = vectors[size_t(k) * d + q];
                    const double x = vkp, y = vkq;
                    vkp = c * x - s * y;
                    vkq = s * x + c * y;
                }
            }
        }
    }
    values.resize(size_t(d));
    for (int i = 0; i < d; ++i)
        values[size_t(i)] = at(i, i);
}

Status checkFinite(const Matrix &m)
{
    if (qint64(m.data.size()) != m.rows * m.cols)
        return makeError(ErrorCode::InvalidArgument, QStringLiteral("the matrix holds %1 values, not %2 x %3").arg(m.data.size()).arg(m.rows).arg(m.cols));
    for (float v : m.data)
        if (!std::isfinite(v))
            return makeError(ErrorCode::InvalidArgument, QStringLiteral("the vectors hold NaN or infinite values"));
    return {};
}

// Projects every row on the first two axes into xy (2 floats a row).
void project(const Matrix &points, const PrincipalAxes &pca, std::vector<float> &xy)
{
    xy.assign(size_t(points.rows) * 2, 0.f);
    const int d = points.cols;
#pragma omp parallel for schedule(static)
    for (qint64 i = 0; i < points.rows; ++i) {
        const float *r = points.row(i);
        double x = 0, y = 0;
        for (int j = 0; j < d; ++j) {
            const double c = double(r[j]) - pca.mean[size_t(j)];
            x += c * pca.axes.row(0)[j];
            y += c * pca.axes.row(1)[j];
        }
        xy[size_t(i) * 2] = float(x);
        xy[size_t(i) * 2 + 1] = float(y);
    }
}

// UMAP's curve 1 / (1 + a d^(2b)) for min_dist 0.1, spread 1.
constexpr double kCurveA = 1.577, kCurveB = 0.895;
constexpr int kNegativeSamples = 5;

struct Edge {
    qint32 from, to;
    float weight;
};

// UMAP's fuzzy simplicial set over a kNN graph: per row, rho = distance to
// its nearest neighbour and sigma such that the memberships sum to log2(k);
// then the symmetric union a + b - ab.
std::vector<Edge> fuzzyGraph(const HitLists &knn, qint64 rows, int k)
{
    std::vector<Edge> directed;
    directed.reserve(size_t(rows) * size_t(k));
    const double target = std::log2(double(std::max(k, 2)));
    std::vector<double> dist;
    std::vector<qint32> to;
    for (qint64 i = 0; i < rows; ++i) {
        dist.clear();
        to.clear();
        for (const Hit &h : knn[size_t(i)]) {
            if (h.item == i || int(dist.size()) >= k)
                continue;
            dist.push_back(std::sqrt(std::max(0.0, 2.0 - 2.0 * double(h.score)))); // unit rows: chord length
            to.push_back(qint32(h.item));
        }
        if (dist.empty())
            continue;
        const double rho = dist.front();
        double lo = 0, hi = 1e9, sigma = 1;
        for (int it = 0; it < 64; ++it) {
            double sum = 0;
            for (double x : dist)
                sum += std::exp(-std::max(0.0, x - rho) / sigma);
            if (std::abs(sum - target) < 1e-5)
                break;
            if (sum > target)
                hi = sigma;
            else
                lo = sigma;
            sigma = hi >= 1e9 ? sigma * 2 : (lo + hi) / 2;
        }
        sigma = std::max(sigma, 1e-3 * (std::accumulate(dist.begin(), dist.end(), 0.0) / double(dist.size()) + 1e-12));
        for (size_t j = 0; j < dist.size(); ++j)
            directed.push_back({qint32(i), to[j], float(std::exp(-std::max(0.0, dist[j] - rho) / sigma))});
    }
    // Symmetrise: sort by the unordered pair, combine a + b - ab.
    for (Edge &e : directed)
        if (e.from > e.to)
            std::swap(e.from, e.to);
    std::sort(directed.begin(), directed.end(), [](const Edge &a, const Edge &b) {
        return a.from != b.from ? a.from < b.from : a.to != b.to ? a.to < b.to : a.weight < b.weight;
    });
    std::vector<Edge> out;
    for (size_t i = 0; i < directed.size();) {
        size_t j = i + 1;
        double w = directed[i].weight;
        while (j < directed.size() && directed[j].from == directed[i].from && directed[j].to == directed[i].to) {
            w = w + directed[j].weight - w * directed[j].weight;
            ++j;
        }
        if (directed[i].from != directed[i].to)
            out.push_back({directed[i].from, directed[i].to, float(w)});
        i = j;
    }
    return out;
}

double clip4(double v)
{
    return std::clamp(v, -4.0, 4.0);
}

// UMAP's optimize_layout_euclidean, on one thread (determinism): each edge
// is sampled in proportion to its weight; each sample pulls both ends
// together and pushes the first away from kNegativeSamples random rows.
Status optimiseLayout(std::vector<float> &xy, qint64 rows, const std::vector<Edge> &edges, int epochs, quint64 seed, JobContext &ctx,
                      qint64 progressBase, qint64 progressTotal)
{
    if (edges.empty())
        return {};
    float maxW = 0;
    for (const Edge &e : edges)
        maxW = std::max(maxW, e.weight);
    std::vector<double> perSample(edges.size()), nextSample(edges.size()), perNegative(edges.size()), nextNegative(edges.size());
    for (size_t e = 0; e < edges.size(); ++e) {
        const double n = double(edges[e].weight) / maxW * epochs;
        perSample[e] = n > 0 ? epochs / n : -1;
        nextSample[e] = perSample[e];
        perNegative[e] = perSample[e] / kNegativeSamples;
        nextNegative[e] = perNegative[e];
    }
    std::mt19937_64 rng(seed ^ 0xbb67ae8584caa73bULL);
    for (int epoch = 0; epoch < epochs; ++epoch) {
        if (ctx.isCanceled())
            return makeError(ErrorCode::Canceled, QStringLiteral("the layout was canceled"));
        const double alpha = 1.0 - double(epoch) / epochs;
        for (size_t e = 0; e < edges.size(); ++e) {
            if (perSample[e] <= 0 || nextSample[e] > epoch)
                continue;
            float *a = &xy[size_t(edges[e].from) * 2];
            float *b = &xy[size_t(edges[e].to) * 2];
            double dx = a[0] - b[0], dy = a[1] - b[1], d2 = dx * dx + dy * dy;
            if (d2 > 0) {
                const double coeff = -2.0 * kCurveA * kCurveB * std::pow(d2, kCurveB - 1) / (kCurveA * std::pow(d2, kCurveB) + 1);
                const double gx = clip4(coeff * dx) * alpha, gy = clip4(coeff * dy) * alpha;
                a[0] += float(gx), a[1] += float(gy);
                b[0] -= float(gx), b[1] -= float(gy);
            }
            nextSample[e] += perSample[e];
            const int negatives = std::max(0, int((epoch - nextNegative[e]) / perNegative[e]));
            for (int s = 0; s < negatives; ++s) {
                const qint64 k = qint64(rng() % quint64(rows));
                if (k == edges[e].from)
                    continue;
                const float *c = &xy[size_t(k) * 2];
                dx = a[0] - c[0], dy = a[1] - c[1], d2 = dx * dx + dy * dy;
                double gx = 4, gy = 4;
                if (d2 > 0) {
                    const double coeff = 2.0 * kCurveB / ((0.001 + d2) * (kCurveA * std::pow(d2, kCurveB) + 1));
                    gx = clip4(coeff * dx), gy = clip4(coeff * dy);
                }
                a[0] += float(gx * alpha), a[1] += float(gy * alpha);
            }
            nextNegative[e] += negatives * perNegative[e];
        }
        if (epoch % 10 == 0)
            ctx.progress(progressBase + epoch * 100 / epochs, progressTotal, QStringLiteral("arranging neighbours"));
    }
    return {};
}

Matrix gatherRows(const Matrix &m, const std::vector<qint64> &rows)
{
    Matrix out(qint64(rows.size()), m.cols);
    for (size_t i = 0; i < rows.size(); ++i)
        std::copy_n(m.row(rows[i]), m.cols, out.row(qint64(i)));
    return out;
}

// Scales positions to span about [-10, 10] on their wider axis (the range
// UMAP's curve parameters assume).
void normaliseSpan(std::vector<float> &xy)
{
    float maxAbs = 0;
    for (float v : xy)
        maxAbs = std::max(maxAbs, std::abs(v));
    if (maxAbs > 0)
        for (float &v : xy)
            v *= 10.f / maxAbs;
}

Result<std::vector<float>> neighbourLayout(const Matrix &vectors, const EmbeddingLayout::Options &opts, JobContext &ctx)
{
    constexpr qint64 kSteps = 400; // progress units: 100 graph, 100 optimise, 200 placement
    const qint64 n = vectors.rows;
    const std::vector<qint64> landmarkRows = sampleRows(n, std::min<qint64>(n, opts.landmarks), opts.seed);
    const qint64 l = qint64(landmarkRows.size());
    const Matrix landmarks = l == n ? Matrix() : gatherRows(vectors, landmarkRows);
    const Matrix &lm = l == n ? vectors : landmarks;
    const int k = int(std::min<qint64>(opts.neighbors, l - 1));

    ctx.progress(0, kSteps, QStringLiteral("finding neighbours"));
    auto knn = exactSearch(lm, lm, k + 1);
    if (!knn)
        return knn.error();
    if (ctx.isCanceled())
        return makeError(ErrorCode::Canceled, QStringLiteral("the layout was canceled"));
    const std::vector<Edge> edges = fuzzyGraph(*knn, l, k);

    // Start from PCA: a global arrangement the descent only refines.
    auto pca = principalAxes(lm, 2, opts.seed);
    if (!pca)
        return pca.error();
    std::vector<float> lxy;
    project(lm, *pca, lxy);
    normaliseSpan(lxy);
    ctx.progress(100, kSteps, QStringLiteral("arranging neighbours"));
    if (Status s = optimiseLayout(lxy, l, edges, opts.epochs, opts.seed, ctx, 100, kSteps); !s)
        return s.error();
    if (l == n)
        return lxy;

    // Every other row: the similarity-weighted mean of its nearest
    // landmarks, found through an IVF index over the landmarks.
    KMeansOptions km;
    km.clusters = defaultClusterCount(l);
    km.iterations = 10;
    km.seed = opts.seed;
    auto ivf = HierarchicalRetriever::build(lm, km);
    if (!ivf)
        return ivf.error();
    RetrieveOptions ro;
    ro.k = std::min<int>(5, int(l));
    ro.clusters = std::max(4, km.clusters / 16);
    std::vector<float> xy(size_t(n) * 2, 0.f);
    constexpr qint64 kBatch = 16384;
    for (qint64 begin = 0; begin < n; begin += kBatch) {
        if (ctx.isCanceled())
            return makeError(ErrorCode::Canceled, QStringLiteral("the layout was canceled"));
        const qint64 end = std::min(n, begin + kBatch);
        Matrix q(end - begin, vectors.cols);
        std::copy(vectors.data.begin() + begin * vectors.cols, vectors.data.begin() + end * vectors.cols, q.data.begin());
        auto hits = ivf->search(q, ro);
        if (!hits)
            return hits.error();
        for (qint64 i = begin; i < end; ++i) {
            const auto &list = (*hits)[size_t(i - begin)];
            double sx = 0, sy = 0, sw = 0;
            for (const Hit &h : list) {
                // Sharp weights: a near copy of a landmark lands on it.
                const double w = std::exp((double(h.score) - double(list.front().score)) / 0.02);
                sx += w * lxy[size_t(h.item) * 2];
                sy += w * lxy[size_t(h.item) * 2 + 1];
                sw += w;
            }
            if (sw > 0) {
                xy[size_t(i) * 2] = float(sx / sw);
                xy[size_t(i) * 2 + 1] = float(sy / sw);
            }
        }
        ctx.progress(200 + end * 200 / n, kSteps, QStringLiteral("placing every image"));
    }
    for (qint64 j = 0; j < l; ++j) { // landmarks keep their own place
        xy[size_t(landmarkRows[size_t(j)]) * 2] = lxy[size_t(j) * 2];
        xy[size_t(landmarkRows[size_t(j)]) * 2 + 1] = lxy[size_t(j) * 2 + 1];
    }
    return xy;
}

} // namespace

Result<PrincipalAxes> principalAxes(const Matrix &points, int components, quint64 seed)
{
    if (points.rows < 2 || points.cols < 1)
        return makeError(ErrorCode::InvalidArgument, QStringLiteral("PCA needs at least 2 rows and 1 column, not %1 x %2").arg(points.rows).arg(points.cols));
    if (components < 1 || components > points.cols)
        return makeError(ErrorCode::InvalidArgument, QStringLiteral("PCA components must lie in [1, %1], not %2").arg(points.cols).arg(components));
    if (Status s = checkFinite(points); !s)
        return s.error();
    const int d = points.cols;
    PrincipalAxes out;
    const std::vector<qint64> rows = sampleRows(points.rows, EmbeddingLayout::kCovarianceRows, seed);
    const qint64 m = qint64(rows.size());
    std::vector<double> mean(size_t(d), 0.0);
    for (qint64 r : rows)
        for (int j = 0; j < d; ++j)
            mean[size_t(j)] += points.row(r)[j];
    for (double &v : mean)
        v /= double(m);
    // Columns of the centred sample, so that each covariance entry is one
    // contiguous dot product; each entry is summed by one thread in a fixed
    // order (the result does not depend on the thread count).
    std::vector<float> columns(size_t(d) * size_t(m));
    for (qint64 i = 0; i < m; ++i)
        for (int j = 0; j < d; ++j)
            columns[size_t(j) * size_t(m) + size_t(i)] = float(double(points.row(rows[size_t(i)])[j]) - mean[size_t(j)]);
    std::vector<double> cov(size_t(d) * d, 0.0);
#pragma omp parallel for schedule(dynamic, 1)
    for (int a = 0; a < d; ++a) {
        const float *ca = columns.data() + size_t(a) * size_t(m);
        for (int b = a; b < d; ++b) {
            const float *cb = columns.data() + size_t(b) * size_t(m);
            double sum = 0;
            for (qint64 i = 0; i < m; i += 4096) {
                float part = 0; // float within a block (vectorised), double across blocks
                const qint64 end = std::min(m, i + 4096);
                for (qint64 t = i; t < end; ++t)
                    part += ca[t] * cb[t];
                sum += part;
            }
            cov[size_t(a) * d + b] = cov[size_t(b) * d + a] = sum / double(m - 1);
        }
    }
    std::vector<double> values, vectors;
    jacobiEigen(cov, d, values, vectors);
    std::vector<int> order(static_cast<size_t>(d));
    std::iota(order.begin(), order.end(), 0);
    std::stable_sort(order.begin(), order.end(), [&values](int a, int b) { return values[size_t(a)] > values[size_t(b)]; });
    out.mean.assign(mean.begin(), mean.end());
    out.axes = Matrix(components, d);
    for (int c = 0; c < components; ++c) {
        const int col = order[size_t(c)];
        int biggest = 0;
        for (int j = 1; j < d; ++j)
            if (std::abs(vectors[size_t(j) * d + col]) > std::abs(vectors[size_t(biggest) * d + col]))
                biggest = j;
        const double sign = vectors[size_t(biggest) * d + col] < 0 ? -1.0 : 1.0;
        for (int j = 0; j < d; ++j)
            out.axes.row(c)[j] = float(sign * vectors[size_t(j) * d + col]);
        out.variance.push_back(std::max(0.0, values[size_t(col)]));
    }
    return out;
}

QString EmbeddingLayout::methodName(Method method)
{
    return method == Method::Neighbors ? QStringLiteral("neighbors") : QStringLiteral("pca");
}

bool EmbeddingLayout::parseMethod(const QString &name, Method *method)
{
    if (name == QLatin1String("pca"))
        *method = Method::Pca;
    else if (name == QLatin1String("neighbors"))
        *method = Method::Neighbors;
    else
        return false;
    return true;
}

Result<EmbeddingLayout> EmbeddingLayout::compute(const QVector<qint64> &ids, const Matrix &vectors, const Options &opts, JobContext &ctx)
{
    if (qint64(ids.size()) != vectors.rows)
        return makeError(ErrorCode::InvalidArgument, QStringLiteral("%1 ids for %2 vectors").arg(ids.size()).arg(vectors.rows));
    if (vectors.rows < 2)
        return makeError(ErrorCode::InvalidArgument, QStringLiteral("a map needs at least 2 embedded images, not %1").arg(vectors.rows));
    if (opts.method == Method::Neighbors && (opts.landmarks < 2 || opts.neighbors < 1 || opts.epochs < 1))
        return makeError(ErrorCode::InvalidArgument, QStringLiteral("the neighbour layout needs landmarks >= 2, neighbours >= 1 and epochs >= 1"));
    if (Status s = checkFinite(vectors); !s)
        return s.error();
    EmbeddingLayout out;
    out.m_method = opts.method;
    out.m_key = inputKey(ids, vectors, opts);
    out.m_ids.assign(ids.begin(), ids.end());
    if (opts.method == Method::Pca) {
        ctx.progress(0, 2, QStringLiteral("principal axes"));
        auto pca = principalAxes(vectors, 2, opts.seed);
        if (!pca)
            return pca.error();
        if (ctx.isCanceled())
            return makeError(ErrorCode::Canceled, QStringLiteral("the layout was canceled"));
        ctx.progress(1, 2, QStringLiteral("projecting"));
        project(vectors, *pca, out.m_xy);
        ctx.progress(2, 2, QStringLiteral("done"));
        return out;
    }
    try {
        auto xy = neighbourLayout(vectors, opts, ctx);
        if (!xy)
            return xy.error();
        out.m_xy = std::move(*xy);
    } catch (const std::exception &e) { // FAISS underneath
        return makeError(ErrorCode::Internal, QString::fromUtf8(e.what()));
    }
    return out;
}

quint64 EmbeddingLayout::inputKey(const QVector<qint64> &ids, const Matrix &vectors, const Options &opts)
{
    QCryptographicHash h(QCryptographicHash::Sha1);
    QByteArray head;
    QDataStream s(&head, QIODevice::WriteOnly);
    s << kAlgorithmVersion << int(opts.method) << opts.seed << vectors.rows << vectors.cols;
    if (opts.method == Method::Neighbors)
        s << opts.landmarks << opts.neighbors << opts.epochs;
    h.addData(head);
    h.addData(QByteArrayView(reinterpret_cast<const char *>(ids.constData()), ids.size() * qsizetype(sizeof(qint64))));
    h.addData(QByteArrayView(reinterpret_cast<const char *>(vectors.data.data()), qsizetype(vectors.data.size() * sizeof(float))));
    const QByteArray digest = h.result();
    quint64 key = 0;
    for (int i = 0; i < 8; ++i)
        key = (key << 8) | quint8(digest[i]);
    return key;
}

QString EmbeddingLayout::cachePath(ProjectStore &store, Method method)
{
    return store.sidePath(QStringLiteral("cache/map-%1.bin").arg(methodName(method)));
}

Status EmbeddingLayout::save(const QString &path) const
{
    QDir().mkpath(QFileInfo(path).absolutePath());
    QSaveFile f(path);
    if (!f.open(QIODevice::WriteOnly))
        return makeError(ErrorCode::IoError, f.errorString(), path);
    QDataStream s(&f);
    s.setByteOrder(QDataStream::LittleEndian);
    s.writeRawData(kMagic, sizeof kMagic);
    s << qint32(m_method) << m_key << qint64(m_ids.size());
    s.writeRawData(reinterpret_cast<const char *>(m_ids.data()), int(m_ids.size() * sizeof(qint64)));
    s.writeRawData(reinterpret_cast<const char *>(m_xy.data()), int(m_xy.size() * sizeof(float)));
    if (s.status() != QDataStream::Ok || !f.commit())
        return makeError(ErrorCode::IoError, QStringLiteral("could not write the map layout: %1").arg(f.errorString()), path);
    return {};
}

Result<EmbeddingLayout> EmbeddingLayout::load(const QString &path, quint64 key)
{
    QFile f(path);
    if (!f.exists())
        return makeError(ErrorCode::NotFound, QStringLiteral("no cached layout"), path);
    if (!f.open(QIODevice::ReadOnly))
        return makeError(ErrorCode::IoError, f.errorString(), path);
    QDataStream s(&f);
    s.setByteOrder(QDataStream::LittleEndian);
    char magic[8];
    qint32 method = 0;
    quint64 stored = 0;
    qint64 n = -1;
    if (s.readRawData(magic, sizeof magic) != int(sizeof magic) || !std::equal(magic, magic + 8, kMagic))
        return makeError(ErrorCode::ParseError, QStringLiteral("not a map layout file"), path);
    s >> method >> stored >> n;
    if (s.status() != QDataStream::Ok || n < 0 || (method != 0 && method != 1)
        || f.size() != qint64(sizeof magic) + 4 + 8 + 8 + n * qint64(sizeof(qint64) + 2 * sizeof(float)))
        return makeError(ErrorCode::ParseError, QStringLiteral("damaged map layout file"), path);
    if (stored != key)
        return makeError(ErrorCode::Conflict, QStringLiteral("the cached layout was made from other embeddings or options"), path);
    EmbeddingLayout out;
    out.m_method = Method(method);
    out.m_key = stored;
    out.m_ids.resize(size_t(n));
    out.m_xy.resize(size_t(n) * 2);
    s.readRawData(reinterpret_cast<char *>(out.m_ids.data()), int(n * qint64(sizeof(qint64))));
    s.readRawData(reinterpret_cast<char *>(out.m_xy.data()), int(n * 2 * qint64(sizeof(float))));
    if (s.status() != QDataStream::Ok)
        return makeError(ErrorCode::ParseError, QStringLiteral("damaged map layout file"), path);
    return out;
}

Result<EmbeddingLayout> EmbeddingLayout::forProject(ProjectStore &store, const Options &opts, JobContext &ctx, bool *fromCache)
{
    if (fromCache)
        *fromCache = false;
    ctx.progress(0, 1, QStringLiteral("reading the image embeddings"));
    auto embedded = loadEmbeddedImages(store);
    if (!embedded) {
        if (embedded.error().code == ErrorCode::NotFound)
            return makeError(ErrorCode::NotFound, QStringLiteral("no image has an embedding yet (run the embed stage)"));
        return embedded.error();
    }
    const QVector<qint64> &ids = embedded->ids;
    const Matrix &vectors = embedded->vectors;
    if (ids.size() < 2)
        return makeError(ErrorCode::NotFound, QStringLiteral("a map needs at least 2 embedded images (run the embed stage)"));
    const QString path = cachePath(store, opts.method);
    const quint64 key = inputKey(ids, vectors, opts);
    if (auto cached = load(path, key)) {
        if (fromCache)
            *fromCache = true;
        return cached;
    }
    auto layout = compute(ids, vectors, opts, ctx);
    if (!layout)
        return layout;
    if (Status s = layout->save(path); !s)
        ctx.warn(QStringLiteral("the map layout was not cached: %1").arg(s.error().toString()), path);
    return layout;
}

} // namespace rs
