#pragma once
// Semantic balance sampling, as pure functions over cluster assignments so
// they can be re-run with another cap or seed without touching embeddings
// or clusters.

#include <QJsonObject>
#include <QtGlobal>

#include <vector>

namespace rs {

// Keeps at most `cap` members of each cluster, chosen uniformly at random
// (seeded) inside the cluster; smaller clusters are kept whole.
// assignment[i] = cluster of item i (>= 0). Returns keep flags per item.
std::vector<bool> capPerCluster(const std::vector<int> &assignment, int cap, quint64 seed);

// MetaCLIP-style: keeps each member of a cluster of size n with probability
// min(1, t / n) (seeded, independent per item).
std::vector<bool> metaclipSample(const std::vector<int> &assignment, double t, quint64 seed);

struct ClusterStats {
    qint64 count = 0;    // items
    int clusters = 0;    // non-empty clusters
    qint64 maxCluster = 0;
    double medianCluster = 0;
    double gini = 0;     // 0 = perfectly even cluster sizes, -> 1 = all in one
    double entropy = 0;  // bits, of the cluster-size distribution
    std::vector<qint64> sizes; // per cluster id (0 for empty), for plots
};

// Statistics of the cluster sizes among items with keep[i] (all if keep empty).
ClusterStats clusterStats(const std::vector<int> &assignment, int clusterCount, const std::vector<bool> &keep = {});
QJsonObject toJson(const ClusterStats &s);

// The value below which `fraction` of `values` lie (linear interpolation).
double percentile(std::vector<double> values, double fraction);

} // namespace rs
