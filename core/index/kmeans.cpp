#include "core/index/kmeans.h"

#include "core/index/detail/matrixcheck.h"


#include <faiss/Clustering.h>
#include <faiss/IndexFlat.h>

#include <algorithm>
#include <cmath>
#include <exception>
#include <limits>
#include <memory>
#include <numeric>
#include <random>

namespace rs {

namespace {

// k-means++ seeding points per centre: enough to spread the seeds over the
// data, few enough that seeding stays cheap next to the Lloyd iterations
// (its k sequential passes are memory-bound, not BLAS).
constexpr qint64 kSeedingPointsPerCentroid = 16;

// Greedy k-means++ seeds on a seeded subsample: each next centre is the best
// (lowest resulting potential) of a few candidates drawn with probability
// proportional to their squared distance from the nearest chosen centre.
// FAISS itself starts from random points, which on well-separated data puts
// two seeds in one true cluster and none in another, and Lloyd's iterations
// never repair that; plain k-means++ still does it now and then (purity ~0.9
// on 20 separated clusters), the greedy variant practically never.
std::vector<float> plusPlusSeeds(const Matrix &points, int k, quint64 seed)
{
    const int d = points.cols;
    std::mt19937_64 rng(seed ^ 0x5851f42d4c957f2dULL);
    std::vector<qint64> sample(size_t(points.rows));
    std::iota(sample.begin(), sample.end(), qint64(0));
    const qint64 m = std::min(points.rows, qint64(k) * kSeedingPointsPerCentroid);
    for (qint64 i = 0; i < m; ++i) { // partial Fisher-Yates
        std::uniform_int_distribution<qint64> pick(i, points.rows - 1);
        std::swap(sample[size_t(i)], sample[size_t(pick(rng))]);
    }
    sample.resize(size_t(m));
    const int candidates = 2 + int(std::log(double(k)));
    // Small inputs are faster without waking the OpenMP team (and a shared
    // 2-core machine punishes its spinning).
    const bool parallel = m * d >= (1 << 18);

    auto distancesTo = [&](qint64 centre, const std::vector<float> &nearest, std::vector<float> &out) {
        const float *c = points.row(centre);
#pragma omp parallel for schedule(static) if (parallel)
        for (qint64 i = 0; i < m; ++i)
            out[size_t(i)] = std::min(nearest[size_t(i)], detail::squaredL2(points.row(sample[size_t(i)]), c, d));
    };
    // Sequential sums keep the choice independent of the thread count.
    auto potential = [](const std::vector<float> &v) { return std::accumulate(v.begin(), v.end(), 0.0); };

    std::vector<float> seeds(size_t(k) * d);
    std::vector<float> nearest(size_t(m), std::numeric_limits<float>::max());
    std::vector<float> trial(static_cast<size_t>(m)), bestTrial(static_cast<size_t>(m));
    qint64 chosen = sample[size_t(std::uniform_int_distribution<qint64>(0, m - 1)(rng))];
    distancesTo(chosen, nearest, nearest);
    std::copy_n(points.row(chosen), d, seeds.begin());
    for (int c = 1; c < k; ++c) {
        const double total = potential(nearest);
        double bestPotential = std::numeric_limits<double>::max();
        for (int t = 0; t < candidates; ++t) {
            qint64 i = 0;
            if (total > 0) {
                double target = std::uniform_real_distribution<double>(0.0, total)(rng);
                for (; i < m - 1; ++i) {
                    target -= nearest[size_t(i)];
                    if (target < 0)
                        break;
                }
            } else { // every point coincides with a seed: any point will do
                i = std::uniform_int_distribution<qint64>(0, m - 1)(rng);
            }
            distancesTo(sample[size_t(i)], nearest, trial);
            const double p = potential(trial);
            if (p < bestPotential) {
                bestPotential = p;
                chosen = sample[size_t(i)];
                std::swap(trial, bestTrial);
            }
        }
        std::swap(nearest, bestTrial);
        std::copy_n(points.row(chosen), d, seeds.begin() + qint64(c) * d);
    }
    return seeds;
}

} // namespace

int defaultClusterCount(qint64 n)
{
    if (n <= 0)
        return 0;
    const qint64 k = qint64(std::llround(std::sqrt(double(n))));
    return int(qBound<qint64>(1, k, n));
}

Result<KMeansResult> kmeans(const Matrix &points, const KMeansOptions &opts)
{
    if (Status s = detail::checkMatrix(points, QStringLiteral("k-means input")); !s)
        return s.error();
    const int k = opts.clusters == 0 ? defaultClusterCount(points.rows) : opts.clusters;
    if (k < 1 || k > points.rows)
        return makeError(ErrorCode::InvalidArgument,
                         QStringLiteral("cannot make %1 clusters from %2 points").arg(k).arg(points.rows),
                         QStringLiteral("clusters"));
    if (opts.iterations < 1)
        return makeError(ErrorCode::InvalidArgument,
                         QStringLiteral("iterations must be at least 1, got %1").arg(opts.iterations),
                         QStringLiteral("iterations"));
    if (opts.maxPointsPerCentroid < 1)
        return makeError(ErrorCode::InvalidArgument,
                         QStringLiteral("maxPointsPerCentroid must be at least 1, got %1")
                             .arg(opts.maxPointsPerCentroid),
                         QStringLiteral("maxPointsPerCentroid"));

    try {
        const int d = points.cols;
        faiss::ClusteringParameters cp;
        cp.niter = opts.iterations;
        cp.spherical = opts.sphericalCosine;
        cp.seed = detail::faissSeed(opts.seed);
        cp.max_points_per_centroid = opts.maxPointsPerCentroid;
        // We already refuse k > n; a lower bound only makes FAISS print warnings
        // on stderr for small, legitimate inputs.
        cp.min_points_per_centroid = 1;
        cp.verbose = false;

        std::unique_ptr<faiss::IndexFlat> index;
        if (opts.sphericalCosine)
            index = std::make_unique<faiss::IndexFlatIP>(d);
        else
            index = std::make_unique<faiss::IndexFlatL2>(d);

        faiss::Clustering clustering(d, k, cp);
        clustering.centroids = plusPlusSeeds(points, k, opts.seed); // used as the initial centres
        clustering.train(points.rows, points.data.data(), *index);

        // Training may have run on a subsample: assign every point against the
        // final centres, which train() leaves in the index.
        KMeansResult result;
        result.centroids = Matrix(k, d);
        std::copy(clustering.centroids.begin(), clustering.centroids.end(), result.centroids.data.begin());
        if (index->ntotal != k) {
            index->reset();
            index->add(k, result.centroids.data.data());
        }
        std::vector<faiss::Index::idx_t> labels(size_t(points.rows));
        result.distance.resize(size_t(points.rows));
        index->search(points.rows, points.data.data(), 1, result.distance.data(), labels.data());
        result.assignment.assign(labels.begin(), labels.end());
        return result;
    } catch (const std::exception &e) {
        return makeError(ErrorCode::Internal,
                         QStringLiteral("k-means failed: %1").arg(QString::fromUtf8(e.what())));
    }
}

QVector<qint64> trainingSample(const QVector<qint64> &ids, qint64 count, quint64 seed)
{
    if (count >= ids.size())
        return ids;
    // A seeded partial Fisher-Yates over positions, then id order again.
    std::vector<qsizetype> at(size_t(ids.size()));
    std::iota(at.begin(), at.end(), qsizetype(0));
    std::mt19937_64 rng(seed ^ 0x5eed5a3b1e5ULL);
    for (qint64 i = 0; i < count; ++i) {
        std::uniform_int_distribution<qint64> pick(i, qint64(at.size()) - 1);
        std::swap(at[size_t(i)], at[size_t(pick(rng))]);
    }
    at.resize(size_t(count));
    std::sort(at.begin(), at.end());
    QVector<qint64> out;
    out.reserve(count);
    for (qsizetype i : at)
        out.push_back(ids[i]);
    return out;
}

CentreAssignment assignToCentres(const Matrix &points, const Matrix &centres, bool sphericalCosine)
{
    CentreAssignment out;
    out.centre.assign(size_t(points.rows), -1);
    out.distance.assign(size_t(points.rows), 0.f);
    const int d = points.cols;
#pragma omp parallel for schedule(static)
    for (qint64 i = 0; i < points.rows; ++i) {
        const float *p = points.row(i);
        int best = -1;
        float bestScore = 0;
        for (qint64 c = 0; c < centres.rows; ++c) {
            // Ties go to the lower centre, as a scan in order would.
            const float score = sphericalCosine ? detail::innerProduct(p, centres.row(c), d) : detail::squaredL2(p, centres.row(c), d);
            if (best < 0 || (sphericalCosine ? score > bestScore : score < bestScore)) {
                best = int(c);
                bestScore = score;
            }
        }
        out.centre[size_t(i)] = best;
        out.distance[size_t(i)] = bestScore;
    }
    return out;
}

} // namespace rs
