#include "clisupport.h"
#include "core/store/globalsettings.h"

#include <QJsonDocument>
#include <QThreadPool>

#include <atomic>
#include <csignal>
#include <cstdio>

namespace rs::cli {

namespace {

std::atomic<bool> *g_cancel = nullptr;

void onSigint(int)
{
    if (g_cancel)
        g_cancel->store(true);
}

} // namespace

int fail(const QString &message, int code)
{
    std::fprintf(stderr, "realsyn: %s\n", qPrintable(message));
    return code;
}

int fail(const Error &e)
{
    return fail(e.toString(), e.code == ErrorCode::Canceled ? 130 : 1);
}

void print(const QString &text)
{
    std::fputs(text.toUtf8().constData(), stdout);
}

void printJson(const QJsonObject &o)
{
    print(QString::fromUtf8(QJsonDocument(o).toJson(QJsonDocument::Indented)));
}

TerminalJob::TerminalJob(const QString &prefix)
    : printer(prefix),
      ctx([this](qint64 d, qint64 t, const QString &w) { printer.update(d, t, w); },
          [this](const JobIssue &issue) {
              if (++warnings <= 5) {
                  printer.finish();
                  std::fprintf(stderr, "warning: %s%s%s\n", qPrintable(issue.context),
                               issue.context.isEmpty() ? "" : ": ", qPrintable(issue.text));
              }
          })
{
    g_cancel = ctx.cancelFlag();
    std::signal(SIGINT, onSigint);
    std::signal(SIGTERM, onSigint);
}

TerminalJob::~TerminalJob()
{
    printer.finish();
    if (warnings > 5)
        std::fprintf(stderr, "(%lld warnings in all; see the project's issue log)\n", warnings);
    std::signal(SIGINT, SIG_DFL);
    g_cancel = nullptr;
}

Result<OpenedProject> openWithRecipe(const QString &dir, ProjectStore::Access access)
{
    auto store = ProjectStore::open(dir, access);
    if (!store)
        return store.error();
    auto recipe = Recipe::load(**store);
    if (!recipe)
        return recipe.error();
    return OpenedProject{std::move(store.value()), std::move(recipe.value())};
}

Result<std::unique_ptr<ProjectStore>> openProject(const QString &dir, ProjectStore::Access access)
{
    return ProjectStore::open(dir, access);
}

void applyThreads(const Recipe &recipe)
{
    const int threads = GlobalSettings::fromRecipe(recipe).threads;
    if (threads > 0)
        QThreadPool::globalInstance()->setMaxThreadCount(threads);
}

qint64 positiveId(const QString &text, bool *ok)
{
    const qint64 id = text.toLongLong(ok);
    if (*ok && id <= 0)
        *ok = false;
    return *ok ? id : 0;
}

Status applySets(Recipe &recipe, const QStringList &sets)
{
    for (const QString &s : sets)
        if (Status st = recipe.setAssignment(s); !st)
            return st;
    return {};
}

} // namespace rs::cli
