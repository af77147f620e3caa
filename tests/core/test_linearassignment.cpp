#include "core/index/linearassignment.h"

#include <QTest>

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>
#include <random>

using namespace rs;

namespace {

using ScoreMatrix = std::vector<std::vector<double>>;

// Best total over every one-to-one matching of min(n, m) pairs.
double bruteForceBest(const ScoreMatrix &s)
{
    const int n = int(s.size());
    const int m = int(s[0].size());
    double best = -std::numeric_limits<double>::infinity();
    if (n <= m) {
        std::vector<int> cols(static_cast<size_t>(m));
        std::iota(cols.begin(), cols.end(), 0);
        do { // row i takes cols[i]
            double total = 0;
            for (int i = 0; i < n; ++i)
                total += s[size_t(i)][size_t(cols[size_t(i)])];
            best = std::max(best, total);
        } while (std::next_permutation(cols.begin(), cols.end()));
    } else {
        std::vector<int> rows(static_cast<size_t>(n));
        std::iota(rows.begin(), rows.end(), 0);
        do { // column j takes rows[j]
            double total = 0;
            for (int j = 0; j < m; ++j)
                total += s[size_t(rows[size_t(j)])][size_t(j)];
            best = std::max(best, total);
        } while (std::next_permutation(rows.begin(), rows.end()));
    }
    return best;
}

// Checks the answer is a valid matching of min(n, m) pairs; returns its total.
double checkedTotal(const ScoreMatrix &s, const std::vector<int> &a)
{
    const int n = int(s.size());
    const int m = int(s[0].size());
    if (int(a.size()) != n)
        return std::numeric_limits<double>::quiet_NaN();
    std::vector<char> taken(size_t(m), 0);
    int matched = 0;
    double total = 0;
    for (int i = 0; i < n; ++i) {
        if (a[size_t(i)] == -1)
            continue;
        if (a[size_t(i)] < 0 || a[size_t(i)] >= m || taken[size_t(a[size_t(i)])])
            return std::numeric_limits<double>::quiet_NaN();
        taken[size_t(a[size_t(i)])] = 1;
        ++matched;
        total += s[size_t(i)][size_t(a[size_t(i)])];
    }
    return matched == std::min(n, m) ? total : std::numeric_limits<double>::quiet_NaN();
}

} // namespace

class TestLinearAssignment : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void matchesBruteForce_data()
    {
        QTest::addColumn<int>("rows");
        QTest::addColumn<int>("cols");
        QTest::addColumn<bool>("ties"); // small integer scores: many equal optima
        for (int n = 1; n <= 6; ++n) {
            for (int m = 1; m <= 6; ++m) {
                for (bool ties : {false, true}) {
                    const QByteArray name = QByteArray::number(n) + "x" + QByteArray::number(m)
                        + (ties ? " ties" : " real");
                    QTest::newRow(name.constData()) << n << m << ties;
                }
            }
        }
    }
    void matchesBruteForce()
    {
        QFETCH(int, rows);
        QFETCH(int, cols);
        QFETCH(bool, ties);
        std::mt19937_64 rng(quint64(rows * 100 + cols * 10 + int(ties)));
        std::uniform_real_distribution<double> real(-1.0, 1.0);
        std::uniform_int_distribution<int> small(0, 2);
        for (int trial = 0; trial < 25; ++trial) {
            ScoreMatrix s(static_cast<size_t>(rows), std::vector<double>(static_cast<size_t>(cols)));
            for (auto &row : s)
                for (double &v : row)
                    v = ties ? double(small(rng)) : real(rng);
            const Result<std::vector<int>> a = maximumWeightAssignment(s);
            QVERIFY(a.ok());
            const double total = checkedTotal(s, a.value());
            QVERIFY2(!std::isnan(total), "not a one-to-one matching of min(n, m) pairs");
            const double best = bruteForceBest(s);
            QVERIFY2(std::abs(total - best) < 1e-9,
                     qPrintable(QStringLiteral("trial %1: total %2, optimum %3").arg(trial).arg(total).arg(best)));
            // Same input, same answer (ties resolved the same way).
            QCOMPARE(maximumWeightAssignment(s).value(), a.value());
        }
    }

    // Greedy/argmax would give row 0 column 0 (0.9) and leave row 1 with 0.1;
    // the optimum crosses over: 0.8 + 0.85.
    void beatsGreedy()
    {
        const ScoreMatrix s{{0.9, 0.8}, {0.85, 0.1}};
        const Result<std::vector<int>> a = maximumWeightAssignment(s);
        QVERIFY(a.ok());
        QCOMPARE(a.value(), (std::vector<int>{1, 0}));
    }

    void moreRowsThanColumnsLeavesRowsUnassigned()
    {
        const ScoreMatrix s{{0.1, 0.2}, {0.9, 0.3}, {0.5, 0.95}, {0.4, 0.4}};
        const Result<std::vector<int>> a = maximumWeightAssignment(s);
        QVERIFY(a.ok());
        QCOMPARE(a.value(), (std::vector<int>{-1, 0, 1, -1}));
    }

    void negativeScoresAreStillMatched()
    {
        const ScoreMatrix s{{-5.0, -1.0, -3.0}};
        const Result<std::vector<int>> a = maximumWeightAssignment(s);
        QVERIFY(a.ok());
        QCOMPARE(a.value(), (std::vector<int>{1}));
    }

    void emptyShapes()
    {
        const Result<std::vector<int>> none = maximumWeightAssignment({});
        QVERIFY(none.ok());
        QVERIFY(none->empty());
        const Result<std::vector<int>> noColumns = maximumWeightAssignment(ScoreMatrix(3));
        QVERIFY(noColumns.ok());
        QCOMPARE(noColumns.value(), (std::vector<int>{-1, -1, -1}));
    }

    void largerRandomIsConsistent()
    {
        // Too big for brute force: check optimality with a 2-swap test (no
        // exchange of two rows' columns, or move to a free column, improves).
        std::mt19937_64 rng(77);
        std::uniform_real_distribution<double> u(0.0, 1.0);
        ScoreMatrix s(40, std::vector<double>(60));
        for (auto &row : s)
            for (double &v : row)
                v = u(rng);
        const Result<std::vector<int>> a = maximumWeightAssignment(s);
        QVERIFY(a.ok());
        const std::vector<int> &c = a.value();
        QVERIFY(!std::isnan(checkedTotal(s, c)));
        std::vector<char> used(60, 0);
        for (int x : c)
            used[size_t(x)] = 1;
        for (size_t i = 0; i < 40; ++i) {
            for (size_t j = i + 1; j < 40; ++j)
                QVERIFY(s[i][size_t(c[i])] + s[j][size_t(c[j])] >= s[i][size_t(c[j])] + s[j][size_t(c[i])] - 1e-12);
            for (size_t f = 0; f < 60; ++f)
                if (!used[f])
                    QVERIFY(s[i][size_t(c[i])] >= s[i][f] - 1e-12);
        }
    }

    void rejectsBadInput_data()
    {
        QTest::addColumn<bool>("ragged");
        QTest::addColumn<double>("bad");
        QTest::addColumn<QString>("needle");
        QTest::newRow("ragged") << true << 0.0 << QStringLiteral("row 1 has 2 entries");
        QTest::newRow("NaN") << false << std::numeric_limits<double>::quiet_NaN() << QStringLiteral("score[1][2]");
        QTest::newRow("infinity") << false << std::numeric_limits<double>::infinity() << QStringLiteral("score[1][2]");
    }
    void rejectsBadInput()
    {
        QFETCH(bool, ragged);
        QFETCH(double, bad);
        QFETCH(QString, needle);
        ScoreMatrix s{{0.1, 0.2, 0.3}, {0.4, 0.5, 0.6}};
        if (ragged)
            s[1].pop_back();
        else
            s[1][2] = bad;
        const Result<std::vector<int>> a = maximumWeightAssignment(s);
        QVERIFY(!a.ok());
        QCOMPARE(a.error().code, ErrorCode::InvalidArgument);
        QVERIFY2(a.error().message.contains(needle), qPrintable(a.error().message));
    }
};

QTEST_GUILESS_MAIN(TestLinearAssignment)
#include "test_linearassignment.moc"
