#include "core/index/linearassignment.h"

#include <cmath>
#include <limits>

namespace rs {

namespace {

// Minimum-cost assignment of every row of `cost` (n x m, n <= m) to a distinct
// column; returns the column of each row. Potentials u (rows) and v (columns)
// keep reduced costs non-negative; each row is inserted by one Dijkstra-like
// shortest augmenting path over the reduced costs. Index 0 is a virtual column
// that anchors the path, so rows and columns are 1-based inside.
std::vector<int> hungarianMinCost(const std::vector<std::vector<double>> &cost, int n, int m)
{
    const double inf = std::numeric_limits<double>::infinity();
    std::vector<double> u(size_t(n) + 1, 0.0), v(size_t(m) + 1, 0.0);
    std::vector<int> rowOfColumn(size_t(m) + 1, 0), way(size_t(m) + 1, 0);
    std::vector<double> minReduced(size_t(m) + 1);
    std::vector<char> used(size_t(m) + 1);

    for (int i = 1; i <= n; ++i) {
        rowOfColumn[0] = i;
        int col = 0;
        std::fill(minReduced.begin(), minReduced.end(), inf);
        std::fill(used.begin(), used.end(), 0);
        do {
            used[size_t(col)] = 1;
            const int row = rowOfColumn[size_t(col)];
            double delta = inf;
            int next = -1;
            for (int j = 1; j <= m; ++j) {
                if (used[size_t(j)])
                    continue;
                const double reduced = cost[size_t(row) - 1][size_t(j) - 1] - u[size_t(row)] - v[size_t(j)];
                if (reduced < minReduced[size_t(j)]) {
                    minReduced[size_t(j)] = reduced;
                    way[size_t(j)] = col;
                }
                // Strict '<' keeps the lowest column on ties: deterministic.
                if (minReduced[size_t(j)] < delta) {
                    delta = minReduced[size_t(j)];
                    next = j;
                }
            }
            if (next < 0) // only reachable with non-finite costs, which the caller rejects
                return {};
            for (int j = 0; j <= m; ++j) {
                if (used[size_t(j)]) {
                    u[size_t(rowOfColumn[size_t(j)])] += delta;
                    v[size_t(j)] -= delta;
                } else {
                    minReduced[size_t(j)] -= delta;
                }
            }
            col = next;
        } while (rowOfColumn[size_t(col)] != 0);
        // Flip the augmenting path back to the virtual column.
        do {
            const int prev = way[size_t(col)];
            rowOfColumn[size_t(col)] = rowOfColumn[size_t(prev)];
            col = prev;
        } while (col != 0);
    }

    std::vector<int> columnOfRow(size_t(n), -1);
    for (int j = 1; j <= m; ++j) {
        if (rowOfColumn[size_t(j)] != 0)
            columnOfRow[size_t(rowOfColumn[size_t(j)]) - 1] = j - 1;
    }
    return columnOfRow;
}

} // namespace

Result<std::vector<int>> maximumWeightAssignment(const std::vector<std::vector<double>> &score)
{
    const int n = int(score.size());
    if (n == 0)
        return std::vector<int>{};
    const int m = int(score.front().size());
    for (int i = 0; i < n; ++i) {
        if (int(score[size_t(i)].size()) != m)
            return makeError(ErrorCode::InvalidArgument,
                             QStringLiteral("score row %1 has %2 entries, row 0 has %3")
                                 .arg(i).arg(score[size_t(i)].size()).arg(m));
        for (int j = 0; j < m; ++j) {
            if (!std::isfinite(score[size_t(i)][size_t(j)]))
                return makeError(ErrorCode::InvalidArgument,
                                 QStringLiteral("score[%1][%2] is NaN or infinite").arg(i).arg(j));
        }
    }
    if (m == 0)
        return std::vector<int>(size_t(n), -1);

    // The solver wants rows <= columns and minimises; negate, and transpose
    // when there are more rows than columns.
    if (n <= m) {
        std::vector<std::vector<double>> cost(static_cast<size_t>(n), std::vector<double>(static_cast<size_t>(m)));
        for (int i = 0; i < n; ++i)
            for (int j = 0; j < m; ++j)
                cost[size_t(i)][size_t(j)] = -score[size_t(i)][size_t(j)];
        std::vector<int> columnOfRow = hungarianMinCost(cost, n, m);
        if (columnOfRow.empty())
            return makeError(ErrorCode::Internal, QStringLiteral("assignment found no augmenting path"));
        return columnOfRow;
    }
    std::vector<std::vector<double>> cost(static_cast<size_t>(m), std::vector<double>(static_cast<size_t>(n)));
    for (int i = 0; i < n; ++i)
        for (int j = 0; j < m; ++j)
            cost[size_t(j)][size_t(i)] = -score[size_t(i)][size_t(j)];
    const std::vector<int> rowOfColumn = hungarianMinCost(cost, m, n);
    if (rowOfColumn.empty())
        return makeError(ErrorCode::Internal, QStringLiteral("assignment found no augmenting path"));
    std::vector<int> columnOfRow(size_t(n), -1);
    for (int j = 0; j < m; ++j) {
        if (rowOfColumn[size_t(j)] >= 0)
            columnOfRow[size_t(rowOfColumn[size_t(j)])] = j;
    }
    return columnOfRow;
}

} // namespace rs
