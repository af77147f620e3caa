#include "core/sample/balancer.h"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <random>

namespace rs {

namespace {

// One generator per cluster, seeded from (seed, cluster): the choice inside
// a cluster does not depend on the order clusters are visited in, or on
// other clusters' sizes.
std::mt19937_64 clusterRng(quint64 seed, int cluster)
{
    std::seed_seq seq{quint32(seed), quint32(seed >> 32), quint32(cluster), 0x5eedu};
    return std::mt19937_64(seq);
}

} // namespace

std::vector<bool> capPerCluster(const std::vector<int> &assignment, int cap, quint64 seed)
{
    std::vector<bool> keep(assignment.size(), false);
    int clusters = 0;
    for (int c : assignment)
        clusters = std::max(clusters, c + 1);
    // Members of each cluster in index order, by a counting sort into one
    // flat array (the live preview runs this at a million rows per change).
    std::vector<size_t> start(size_t(clusters) + 1, 0);
    for (int c : assignment)
        if (c >= 0)
            ++start[size_t(c) + 1];
    for (size_t c = 0; c < size_t(clusters); ++c)
        start[c + 1] += start[c];
    std::vector<size_t> members(start.back());
    {
        std::vector<size_t> fill(start.begin(), start.end() - 1);
        for (size_t i = 0; i < assignment.size(); ++i)
            if (assignment[i] >= 0)
                members[fill[size_t(assignment[i])]++] = i;
    }
    for (int c = 0; c < clusters; ++c) {
        size_t *m = members.data() + start[size_t(c)];
        const size_t size = start[size_t(c) + 1] - start[size_t(c)];
        size_t kept = size;
        if (qint64(size) > cap) {
            auto rng = clusterRng(seed, c);
            // Partial Fisher–Yates: the first `cap` positions are a uniform sample.
            for (int i = 0; i < cap; ++i) {
                std::uniform_int_distribution<size_t> pick(size_t(i), size - 1);
                std::swap(m[i], m[pick(rng)]);
            }
            kept = size_t(std::max(0, cap));
        }
        for (size_t k = 0; k < kept; ++k)
            keep[m[k]] = true;
    }
    return keep;
}

std::vector<bool> metaclipSample(const std::vector<int> &assignment, double t, quint64 seed)
{
    int clusters = 0;
    for (int c : assignment)
        clusters = std::max(clusters, c + 1);
    std::vector<qint64> size(clusters, 0);
    for (int c : assignment)
        if (c >= 0)
            ++size[c];
    std::vector<std::mt19937_64> rngs;
    rngs.reserve(clusters);
    for (int c = 0; c < clusters; ++c)
        rngs.push_back(clusterRng(seed, c));
    std::vector<bool> keep(assignment.size(), false);
    std::uniform_real_distribution<double> u(0.0, 1.0);
    for (size_t i = 0; i < assignment.size(); ++i) {
        const int c = assignment[i];
        if (c < 0)
            continue;
        keep[i] = u(rngs[c]) < std::min(1.0, t / double(size[c]));
    }
    return keep;
}

ClusterStats clusterStats(const std::vector<int> &assignment, int clusterCount, const std::vector<bool> &keep)
{
    ClusterStats s;
    s.sizes.assign(size_t(std::max(0, clusterCount)), 0);
    for (size_t i = 0; i < assignment.size(); ++i) {
        if (assignment[i] < 0 || assignment[i] >= clusterCount || (!keep.empty() && !keep[i]))
            continue;
        ++s.sizes[assignment[i]];
        ++s.count;
    }
    std::vector<qint64> nonEmpty;
    for (qint64 n : s.sizes)
        if (n > 0)
            nonEmpty.push_back(n);
    s.clusters = int(nonEmpty.size());
    if (nonEmpty.empty())
        return s;
    std::sort(nonEmpty.begin(), nonEmpty.end());
    s.maxCluster = nonEmpty.back();
    const size_t k = nonEmpty.size();
    s.medianCluster = k % 2 ? double(nonEmpty[k / 2]) : (nonEmpty[k / 2 - 1] + nonEmpty[k / 2]) / 2.0;
    // Gini over the non-empty clusters, from the sorted sizes:
    // G = sum_i (2i - k - 1) x_i / (k sum x).
    double weighted = 0;
    for (size_t i = 0; i < k; ++i)
        weighted += (2.0 * double(i + 1) - double(k) - 1.0) * double(nonEmpty[i]);
    s.gini = k > 1 ? weighted / (double(k) * double(s.count)) : 0.0;
    for (qint64 n : nonEmpty) {
        const double p = double(n) / double(s.count);
        s.entropy -= p * std::log2(p);
    }
    return s;
}

QJsonObject toJson(const ClusterStats &s)
{
    return QJsonObject{{QStringLiteral("count"), s.count},
                       {QStringLiteral("clusters"), s.clusters},
                       {QStringLiteral("max_cluster"), s.maxCluster},
                       {QStringLiteral("median_cluster"), s.medianCluster},
                       {QStringLiteral("gini"), s.gini},
                       {QStringLiteral("entropy"), s.entropy}};
}

double percentile(std::vector<double> values, double fraction)
{
    if (values.empty())
        return 0;
    std::sort(values.begin(), values.end());
    const double pos = std::clamp(fraction, 0.0, 1.0) * double(values.size() - 1);
    const size_t lo = size_t(std::floor(pos));
    const size_t hi = std::min(values.size() - 1, lo + 1);
    return values[lo] + (values[hi] - values[lo]) * (pos - double(lo));
}

} // namespace rs
