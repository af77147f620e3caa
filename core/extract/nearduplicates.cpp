#include "core/extract/nearduplicates.h"

#include <cmath>

#include "core/util/unionfind.h"

#include <algorithm>
#include <bit>
#include <tuple>
#include <cstdint>
#include <utility>
#include <vector>

namespace rs {

namespace {

constexpr int kExhaustiveFrom = 16; // bands of <= 3 bits put most items in every bucket

struct Unique {
    quint64 hash;
    int item; // first item with this hash
};

using Pairs = std::vector<std::pair<int, int>>;

// Every pair of a bucket (contiguous hashes) within maxDistance. Most of the
// time goes here; cloned for CPUs with a POPCNT instruction because the
// portable baseline has none.
// A pair that also shares an earlier band was emitted in that band's pass
// already: `earlier` holds those bands' masks, so each pair comes out once.
__attribute__((target_clones("popcnt", "default"))) void pairsInBucket(const quint64 *hash, const int *item, size_t count,
                                                                        int maxDistance, const std::vector<quint64> &earlier,
                                                                        Pairs &out)
{
    for (size_t a = 0; a + 1 < count; ++a) {
        const quint64 ha = hash[a];
        for (size_t b = a + 1; b < count; ++b) {
            const quint64 diff = ha ^ hash[b];
            if (std::popcount(diff) > maxDistance)
                continue;
            bool seen = false;
            for (quint64 mask : earlier)
                seen |= (diff & mask) == 0;
            if (!seen)
                out.emplace_back(item[a], item[b]);
        }
    }
}

// Pigeonhole: with maxDistance + 1 disjoint bands, two hashes that differ in
// at most maxDistance bits agree exactly on some band, so only items sharing
// a band value need comparing.
void pairsBanded(const std::vector<Unique> &uniq, int maxDistance, Pairs &out)
{
    const int bands = maxDistance + 1;
    const int base = 64 / bands;
    const int extra = 64 % bands;
    // (band value << 32 | position in uniq), sorted, then the hashes copied
    // out in that order so that each bucket is scanned sequentially.
    std::vector<std::uint64_t> keys(uniq.size());
    std::vector<quint64> sortedHash(uniq.size());
    std::vector<int> sortedItem(uniq.size());
    std::vector<quint64> earlier; // masks of the bands already done
    int shift = 0;
    for (int band = 0; band < bands; ++band) {
        const int width = base + (band < extra ? 1 : 0); // <= 32 since bands >= 2
        const quint64 mask = (quint64(1) << width) - 1;
        const int bandShift = shift;
        for (size_t u = 0; u < uniq.size(); ++u)
            keys[u] = ((uniq[u].hash >> shift) & mask) << 32 | std::uint64_t(u);
        shift += width;
        std::sort(keys.begin(), keys.end());
        for (size_t k = 0; k < keys.size(); ++k) {
            const Unique &u = uniq[keys[k] & 0xffffffffu];
            sortedHash[k] = u.hash;
            sortedItem[k] = u.item;
        }
        for (size_t start = 0; start < keys.size();) {
            size_t end = start + 1;
            while (end < keys.size() && keys[end] >> 32 == keys[start] >> 32)
                ++end;
            if (end - start > 1)
                pairsInBucket(sortedHash.data() + start, sortedItem.data() + start, end - start, maxDistance, earlier, out);
            start = end;
        }
        earlier.push_back(mask << bandShift);
    }
}

} // namespace

NearDuplicateGraph nearDuplicateGraph(const QVector<quint64> &hashes, const QVector<int> &classes, int maxDistance)
{
    Q_ASSERT(classes.isEmpty() || classes.size() == hashes.size());
    NearDuplicateGraph g;
    const int n = int(hashes.size());
    g.node.assign(size_t(n), -1);
    if (maxDistance < 0)
        return g;
    // Identical (class, hash) items share a node first: a thousand copies of
    // one image would otherwise make one bucket quadratic in every band.
    std::vector<std::tuple<int, quint64, int>> order(static_cast<size_t>(n));
    for (int i = 0; i < n; ++i)
        order[size_t(i)] = {classes.isEmpty() ? 0 : classes[i], hashes[i], i};
    std::sort(order.begin(), order.end());
    std::vector<Unique> uniq;
    for (size_t k = 0; k < order.size();) {
        const auto [cls, hash, first] = order[k];
        const int node = g.nodes++;
        size_t e = k;
        while (e < order.size() && std::get<0>(order[e]) == cls && std::get<1>(order[e]) == hash)
            g.node[size_t(std::get<2>(order[e++]))] = node;
        uniq.push_back({hash, node});
        k = e;
        const bool classEnds = e == order.size() || std::get<0>(order[e]) != cls;
        if (!classEnds)
            continue;
        // One aspect class is complete: pairs of distinct hashes within it.
        if (maxDistance > 0 && uniq.size() > 1) {
            if (maxDistance >= kExhaustiveFrom) {
                std::vector<quint64> hash(uniq.size());
                std::vector<int> item(uniq.size());
                for (size_t u = 0; u < uniq.size(); ++u) {
                    hash[u] = uniq[u].hash;
                    item[u] = uniq[u].item;
                }
                pairsInBucket(hash.data(), item.data(), uniq.size(), maxDistance, {}, g.edges); // all pairs
            } else {
                pairsBanded(uniq, maxDistance, g.edges);
            }
        }
        uniq.clear();
    }
    for (auto &[a, b] : g.edges)
        if (a > b)
            std::swap(a, b);
    return g;
}

QVector<int> groupNearDuplicates(const QVector<quint64> &hashes, int maxDistance, const QVector<qint64> &quality)
{
    const int n = int(hashes.size());
    Q_ASSERT(quality.isEmpty() || quality.size() == hashes.size());
    const NearDuplicateGraph g = nearDuplicateGraph(hashes, {}, maxDistance);
    UnionFind uf(std::max(1, g.nodes));
    for (const auto &[a, b] : g.edges)
        uf.unite(a, b);
    auto qualityOf = [&](int i) { return i < quality.size() ? quality[i] : qint64(0); };
    std::vector<int> best(static_cast<size_t>(std::max(1, g.nodes)), -1);
    auto groupOf = [&](int i) { return g.node[size_t(i)] < 0 ? -1 : uf.find(g.node[size_t(i)]); };
    for (int i = 0; i < n; ++i) {
        const int root = groupOf(i);
        if (root < 0)
            continue;
        int &b = best[size_t(root)];
        if (b < 0 || qualityOf(i) > qualityOf(b)) // strict: ties keep the lower index
            b = i;
    }
    QVector<int> representative(n);
    for (int i = 0; i < n; ++i)
        representative[i] = groupOf(i) < 0 ? i : best[size_t(groupOf(i))];
    return representative;
}

int nearDuplicateAspectClass(int width, int height)
{
    return int(std::lround(std::log(double(std::max(1, width)) / double(std::max(1, height))) / 0.1));
}

} // namespace rs
