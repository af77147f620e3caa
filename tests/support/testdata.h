#pragma once
// Where tests find data.
//
// Shared reference data lives outside the repository, in ../shared/data
// next to the source tree or in $REALSYN_SHARED_DIR/data. On a user's machine
// a missing file skips the test with a message naming the file; under CI=true
// it fails the test instead, because CI must never pass without checking.

#include <QString>
#include <QTest>

namespace rs::test {

// Absolute path of a file in the shared reference data (may not exist).
QString sharedDataPath(const QString &name);

// True under CI=true: missing reference data is then a failure, not a skip.
bool requireSharedData();

// The repository root (for resources and tests/data fixtures).
QString sourceDir();

} // namespace rs::test

// Use inside a test function: resolves NAME or skips/fails with a clear reason.
#define RS_REQUIRE_SHARED_FILE(var, name, what)                                                   \
    const QString var = rs::test::sharedDataPath(QStringLiteral(name));                           \
    do {                                                                                           \
        if (!QFileInfo::exists(var)) {                                                             \
            const QByteArray msg = QByteArray("missing shared data file ") + name + " (" + var.toUtf8() \
                + "); unchecked: " + what;                                                         \
            if (rs::test::requireSharedData())                                                     \
                QFAIL(msg.constData());                                                            \
            QSKIP(msg.constData());                                                                \
        }                                                                                          \
    } while (false)
