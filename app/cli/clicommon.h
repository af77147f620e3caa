#pragma once
// Small helpers shared by the command files under app/cli/ (search,
// snapshot, diff): the exit-code and output conventions of the README
// (0 ok, 1 error with one line on stderr, 2 usage, 130 interrupted).

#include "core/util/result.h"

#include <QCommandLineParser>
#include <QJsonDocument>
#include <QJsonObject>
#include <QString>
#include <QStringList>

#include <cstdio>

namespace rs::cli {

inline int fail(const QString &message, int code = 1)
{
    std::fprintf(stderr, "realsyn: %s\n", qPrintable(message));
    return code;
}

inline int fail(const Error &e)
{
    return fail(e.toString(), e.code == ErrorCode::Canceled ? 130 : 1);
}

inline void print(const QString &text)
{
    std::fputs(text.toUtf8().constData(), stdout);
}

inline void printJson(const QJsonObject &o)
{
    print(QString::fromUtf8(QJsonDocument(o).toJson(QJsonDocument::Indented)));
}

// Parses a command's arguments; unknown options and missing values are
// usage errors (2). Returns the exit code to stop with, or -1 to go on.
inline int parseArgs(QCommandLineParser &p, const QStringList &args)
{
    if (!p.parse(args)) {
        std::fprintf(stderr, "realsyn: %s (see `%s --help`)\n", qPrintable(p.errorText()), qPrintable(args.value(0)));
        return 2;
    }
    if (p.isSet(QStringLiteral("help")))
        p.showHelp(0); // exits
    return -1;
}

// A positive integer option value, or 0 with *ok false.
inline qint64 positiveInt(const QString &text, bool *ok)
{
    const qint64 v = text.toLongLong(ok);
    if (*ok && v <= 0)
        *ok = false;
    return *ok ? v : 0;
}

} // namespace rs::cli
