#pragma once
// The data rows of the benchmarks that run at 100k and 1M items: a column
// "n", and either those two rows or one row from an environment variable
// (e.g. REALSYN_BENCH_SEARCH_N=20000 for a quick run).

#include <QTest>

namespace rs::test {

inline void addSizeRows(const char *envVariable)
{
    QTest::addColumn<qint64>("n");
    if (qEnvironmentVariableIsSet(envVariable)) {
        QTest::newRow("custom") << qEnvironmentVariable(envVariable).toLongLong();
        return;
    }
    QTest::newRow("100k") << qint64(100000);
    QTest::newRow("1M") << qint64(1000000);
}

} // namespace rs::test
