#include "tests/bench/syntheticdata.h"

#include <QtConcurrent/QtConcurrentMap>

#include <cmath>
#include <numeric>
#include <random>

namespace rs::test {

namespace {

constexpr qint64 kBlockRows = 1024;

quint64 splitMix(quint64 x)
{
    x += 0x9e3779b97f4a7c15ULL;
    x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
    x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
    return x ^ (x >> 31);
}

Matrix randomCentres(int clusters, int dims, quint64 seed)
{
    std::mt19937_64 rng(splitMix(seed ^ 0xc3a5c85c97cb3127ULL));
    std::normal_distribution<float> normal(0.f, 1.f);
    Matrix c(clusters, dims);
    for (float &v : c.data)
        v = normal(rng);
    c.normalizeRows();
    return c;
}

} // namespace

ClusteredData samplesAround(const Matrix &centres, qint64 n, float spread, quint64 seed)
{
    ClusteredData out;
    const int d = centres.cols;
    out.centres = centres;
    out.points = Matrix(n, d);
    out.label.assign(size_t(n), 0);
    const qint64 blocks = (n + kBlockRows - 1) / kBlockRows;
    std::vector<qint64> blockIds(static_cast<size_t>(blocks));
    std::iota(blockIds.begin(), blockIds.end(), 0);
    const float scale = spread / std::sqrt(float(d));
    QtConcurrent::blockingMap(blockIds, [&](qint64 b) {
        std::mt19937_64 rng(splitMix(seed * 0x100000001b3ULL + quint64(b)));
        std::normal_distribution<float> normal(0.f, 1.f);
        std::uniform_int_distribution<int> pick(0, int(centres.rows) - 1);
        const qint64 end = std::min(n, (b + 1) * kBlockRows);
        for (qint64 i = b * kBlockRows; i < end; ++i) {
            const int c = pick(rng);
            out.label[size_t(i)] = c;
            float *row = out.points.row(i);
            const float *centre = centres.row(c);
            double norm = 0;
            for (int j = 0; j < d; ++j) {
                row[j] = centre[j] + scale * normal(rng);
                norm += double(row[j]) * row[j];
            }
            const float inv = float(1.0 / std::sqrt(norm));
            for (int j = 0; j < d; ++j)
                row[j] *= inv;
        }
    });
    return out;
}

ClusteredData makeClusteredData(qint64 n, int clusters, int dims, float spread, quint64 seed)
{
    return samplesAround(randomCentres(clusters, dims, seed), n, spread, seed);
}

} // namespace rs::test
