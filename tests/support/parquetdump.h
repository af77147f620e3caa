#pragma once
// The independent parquet reader of the tests: hyparquet (pure JavaScript,
// npm) under node, installed into <build>/parquet-readers by
// packaging/dev.sh (npm ci from tests/parquet/package-lock.json). dump.mjs
// prints every row as a JSON object a line, then one metadata line per file
// (with "__file__").

#include <QFileInfo>
#include <QJsonDocument>
#include <QJsonObject>
#include <QStandardPaths>
#include <QVector>

#include "tests/support/processrun.h"

namespace rs::test {

struct ParquetDump {
    bool ok = false;
    QByteArray error;
    QVector<QJsonObject> rows;  // every row of every file, in order
    QVector<QJsonObject> files; // num_rows, row_groups, created_by, schema, codecs per file
};

// The node binary when node and the reader are installed; else empty, and
// `why` says what is missing.
inline QString parquetReaderNode(QString *why)
{
    const QString readers = qEnvironmentVariable("REALSYN_BUILD_DIR") + QStringLiteral("/parquet-readers");
    const QString node = QStandardPaths::findExecutable(QStringLiteral("node"));
    if (!node.isEmpty() && QFileInfo::exists(readers + QStringLiteral("/dump.mjs"))
        && QFileInfo::exists(readers + QStringLiteral("/node_modules/hyparquet/package.json"))
        && QFileInfo::exists(readers + QStringLiteral("/node_modules/hyparquet-compressors/package.json")))
        return node;
    *why = QStringLiteral("parquet reader missing (node, or hyparquet in %1: run packaging/dev.sh build)").arg(readers);
    return {};
}

inline ParquetDump dumpParquet(const QString &node, const QStringList &files)
{
    const QString script = qEnvironmentVariable("REALSYN_BUILD_DIR") + QStringLiteral("/parquet-readers/dump.mjs");
    const ProcessRun r = runProcess(node, QStringList{script} + files, 600000);
    ParquetDump d;
    if (r.code != 0) {
        d.error = r.err;
        return d;
    }
    for (const QByteArray &line : r.out.split('\n')) {
        if (line.isEmpty())
            continue;
        const QJsonObject o = QJsonDocument::fromJson(line).object();
        (o.contains(QStringLiteral("__file__")) ? d.files : d.rows).push_back(o);
    }
    d.ok = true;
    return d;
}

} // namespace rs::test
