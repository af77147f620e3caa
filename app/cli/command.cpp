#include "command.h"

#include "clisupport.h"

#include <QCoreApplication>
#include <QRegularExpression>

#include <cstdio>

namespace rs::cli {

namespace {

// Commands that take an item id reject "-5" here: the parser would take it
// for an option and say "Unknown option '5'". valueOptions: options whose
// next argument is their value (which may well be "-5").
int refuseNegativeIds(const QStringList &args, const QString &what, const QStringList &valueOptions)
{
    static const QRegularExpression negative(QStringLiteral("^-[0-9][0-9.eE+-]*$"));
    for (qsizetype i = 1; i < args.size(); ++i) {
        if (valueOptions.contains(args[i])) {
            ++i;
            continue;
        }
        if (negative.match(args[i]).hasMatch())
            return fail(QStringLiteral("%1 must be a positive integer, not '%2'").arg(what, args[i]), 2);
    }
    return -1;
}

} // namespace

int Command::usageError() const
{
    return fail(QStringLiteral("usage: realsyn %1%2%3").arg(name, usage.isEmpty() ? QString() : QStringLiteral(" "), usage), 2);
}

int dispatch(const Command &cmd, const QStringList &args)
{
    QCommandLineParser p;
    p.addHelpOption();
    for (const Positional &a : cmd.positionals)
        p.addPositionalArgument(a.name, a.description, a.syntax);
    for (const QCommandLineOption &o : cmd.options)
        p.addOption(o);
    if (!cmd.idArgument.isEmpty()) {
        QStringList valueOptions;
        for (const QCommandLineOption &o : cmd.options)
            if (!o.valueName().isEmpty())
                for (const QString &n : o.names())
                    valueOptions << (n.size() == 1 ? QStringLiteral("-") : QStringLiteral("--")) + n;
        if (const int rc = refuseNegativeIds(args, cmd.idArgument, valueOptions); rc >= 0)
            return rc;
    }
    // Unknown options and missing values are usage errors (exit 2, as the
    // README says), not QCommandLineParser's exit 1.
    if (!p.parse(args)) {
        std::fprintf(stderr, "realsyn: %s (see `%s --help`)\n", qPrintable(p.errorText()), qPrintable(args.value(0)));
        return 2;
    }
    if (p.isSet(QStringLiteral("help")))
        p.showHelp(0); // exits
    return cmd.handler(p);
}

int dispatchArguments(const Command &cmd)
{
    QStringList args = QCoreApplication::arguments();
    args.removeAt(1);
    args[0] = QStringLiteral("realsyn ") + cmd.name;
    return dispatch(cmd, args);
}

} // namespace rs::cli
