#pragma once
// Near-duplicate grouping over 64-bit perceptual hashes (stage 1 redundancy
// removal; stage 2 repeats it with embeddings).
//
// Items whose hashes are within maxDistance bits (Hamming) are joined with
// union-find, transitively: a~b and b~c put a, b and c in one group even when
// a and c are further apart.
//
// Scaling: identical hashes are merged first, then candidate pairs come from
// a pigeonhole band index (64 bits split into maxDistance + 1 bands; two
// hashes within maxDistance agree exactly on at least one band). maxDistance
// >= 16 makes the bands too narrow to help, so it compares all pairs (O(n^2)).
//
// Thread-safety: pure function, reentrant.

#include <QVector>
#include <QtGlobal>

#include <utility>
#include <vector>

namespace rs {

// The near-duplicate relation as a graph, so that grouping can be redone over
// any subset of items (the survivors of other filters) without hashing again:
// items with the same (class, hash) share a node, and an edge joins two nodes
// of one class whose hashes are within maxDistance bits. Edges are unique,
// with first < second. Items of different classes are never joined.
struct NearDuplicateGraph {
    std::vector<int> node;                  // per item; -1 when maxDistance < 0
    int nodes = 0;
    std::vector<std::pair<int, int>> edges; // node pairs
};
// classes empty = one class for all.
NearDuplicateGraph nearDuplicateGraph(const QVector<quint64> &hashes, const QVector<int> &classes, int maxDistance);

// Returns, for each item, the index of its group's representative (itself if
// it is one). The representative is the member with the highest quality (for
// example its pixel count); ties go to the lowest index.
// quality must be empty (then the lowest index represents each group) or have
// hashes.size() entries. maxDistance < 0 groups nothing; >= 64 groups all.
QVector<int> groupNearDuplicates(const QVector<quint64> &hashes, int maxDistance, const QVector<qint64> &quality);

// Near duplicates are only looked for among images of one aspect class: the
// perceptual hash sees a square and forgets the shape, while copies keep
// it. Classes are about 10% wide bins of log(width / height).
int nearDuplicateAspectClass(int width, int height);

} // namespace rs
