#pragma once
// Disjoint-set forest with path halving and union by size. Used to group
// near-duplicate images (perceptual hashes in stage 1, embeddings in stage 2).

#include <numeric>
#include <vector>

namespace rs {

class UnionFind {
public:
    explicit UnionFind(int n) : m_parent(n), m_size(n, 1) { std::iota(m_parent.begin(), m_parent.end(), 0); }

    int find(int x)
    {
        while (m_parent[x] != x) {
            m_parent[x] = m_parent[m_parent[x]];
            x = m_parent[x];
        }
        return x;
    }
    // Returns true when a and b were in different sets.
    bool unite(int a, int b)
    {
        a = find(a);
        b = find(b);
        if (a == b)
            return false;
        if (m_size[a] < m_size[b])
            std::swap(a, b);
        m_parent[b] = a;
        m_size[a] += m_size[b];
        return true;
    }
    int size() const { return int(m_parent.size()); }

private:
    std::vector<int> m_parent;
    std::vector<int> m_size;
};

} // namespace rs
