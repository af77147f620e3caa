// realsyn dupes: the near-duplicate groups (perceptual hash and embedding)
// with their distances, and the curator's choice of a group's keeper, which
// wins on every re-run (core/pipeline/duplicatereview.h, the code the
// studio's Duplicates view runs).

#include "app/cli/clisupport.h"
#include "app/cli/commands/commands.h"

#include "core/embed/embedstage.h"
#include "core/pipeline/duplicatereview.h"
#include "core/store/projectstore.h"
#include "core/store/recipe.h"

#include <QJsonArray>
#include <QJsonObject>

#include <set>

namespace rs::cli {

namespace {

QJsonObject groupJson(const DuplicateReview::Group &g)
{
    QJsonArray members;
    for (const DuplicateReview::Member &m : g.members)
        members.append(QJsonObject{{QStringLiteral("id"), m.id},
                                   {QStringLiteral("width"), m.width},
                                   {QStringLiteral("height"), m.height},
                                   {QStringLiteral("distance"), m.distance}});
    return {{QStringLiteral("kind"), DuplicateReview::kindName(g.kind)},
            {QStringLiteral("keeper"), g.keeper()},
            {QStringLiteral("curator_keeper"), g.curatorKeeper},
            {QStringLiteral("members"), members}};
}

QString distanceText(const DuplicateReview::Group &g, const DuplicateReview::Member &m)
{
    return g.kind == DuplicateReview::Kind::Phash ? QStringLiteral("%1 bit%2").arg(int(m.distance)).arg(m.distance == 1 ? QString() : QStringLiteral("s"))
                                                  : QStringLiteral("cos %1").arg(m.distance, 0, 'f', 3);
}

QString groupLine(const DuplicateReview::Group &g)
{
    QString line = QStringLiteral("%1  keeper %2%3").arg(DuplicateReview::kindName(g.kind), -9).arg(g.keeper()).arg(
        g.curatorKeeper ? QStringLiteral(" (curator)") : QString());
    for (size_t k = 1; k < g.members.size(); ++k)
        line += QStringLiteral("  %1 (%2)").arg(g.members[k].id).arg(distanceText(g, g.members[k]));
    return line + QLatin1Char('\n');
}

std::vector<const DuplicateReview::Group *> groupsWith(const DuplicateReview::Outcome &out, qint64 id)
{
    std::vector<const DuplicateReview::Group *> found;
    for (const DuplicateReview::Group &g : out.groups)
        for (const DuplicateReview::Member &m : g.members)
            if (m.id == id)
                found.push_back(&g);
    return found;
}

int handleDupes(const QCommandLineParser &p)
{
    const QStringList pos = p.positionalArguments();
    const bool keep = p.isSet(QStringLiteral("keep")), automatic = p.isSet(QStringLiteral("auto"));
    if (pos.size() != 1 || (keep && automatic))
        return dupesCommand().usageError();
    const QString kind = p.value(QStringLiteral("kind"));
    if (p.isSet(QStringLiteral("kind")) && kind != DuplicateReview::kindName(DuplicateReview::Kind::Phash)
        && kind != DuplicateReview::kindName(DuplicateReview::Kind::Embedding))
        return fail(QStringLiteral("--kind expects phash or embedding, not '%1'").arg(kind), 2);
    qint64 id = 0;
    if (keep || automatic) {
        bool ok = false;
        const QString text = p.value(keep ? QStringLiteral("keep") : QStringLiteral("auto"));
        id = positiveId(text, &ok);
        if (!ok)
            return fail(QStringLiteral("ID must be a positive integer, not '%1'").arg(text), 2);
    }
    auto project = openWithRecipe(pos.first(), keep || automatic ? ProjectStore::Access::ReadWrite : ProjectStore::Access::ReadOnly);
    if (!project)
        return fail(project.error());
    ProjectStore &store = *project->store;
    const Recipe &recipe = project->recipe;
    auto review = DuplicateReview::load(store, recipe, DuplicateReview::Vectors::Stored);
    if (!review)
        return fail(review.error());
    DuplicateReview::Outcome out = review->decide(recipe);

    if (keep || automatic) {
        const auto groups = groupsWith(out, id);
        if (groups.empty())
            return fail(QStringLiteral("image %1 is in no near-duplicate group").arg(id));
        std::set<qint64> members;
        for (const DuplicateReview::Group *g : groups)
            for (const DuplicateReview::Member &m : g->members)
                members.insert(m.id);
        std::vector<std::pair<qint64, bool>> keepers;
        for (qint64 m : members)
            keepers.emplace_back(m, keep && m == id);
        TerminalJob job(QStringLiteral("dupes"));
        if (Status s = applyDuplicateKeepers(store, recipe, keepers, job.ctx); !s)
            return fail(s.error());
        review = DuplicateReview::load(store, recipe, DuplicateReview::Vectors::Stored);
        if (!review)
            return fail(review.error());
        out = review->decide(recipe);
        // What the choice changed: the groups the image is in now.
        std::vector<DuplicateReview::Group> now;
        for (const DuplicateReview::Group *g : groupsWith(out, id))
            now.push_back(*g);
        out.groups = std::move(now);
    }

    const QString phashKey = settingKeyOf(&ImageFilterSettings::phashDistance), embedKey = settingKeyOf(&EmbedSettings::dedupThreshold);
    const auto countsOf = [&out](DuplicateReview::Kind k) {
        return QJsonObject{{QStringLiteral("groups"), out.groupCount[int(k)]}, {QStringLiteral("duplicates"), out.duplicateCount[int(k)]}};
    };
    const bool json = p.isSet(QStringLiteral("json"));
    if (json) {
        QJsonArray groups;
        for (const DuplicateReview::Group &g : out.groups)
            if (kind.isEmpty() || DuplicateReview::kindName(g.kind) == kind)
                groups.append(groupJson(g));
        QJsonObject o{{QStringLiteral("settings"), QJsonObject{{phashKey, ImageFilterSettings::fromRecipe(recipe).phashDistance},
                                                             {embedKey, EmbedSettings::fromRecipe(recipe).dedupThreshold}}},
                      {QStringLiteral("counts"), QJsonObject{{QStringLiteral("phash"), countsOf(DuplicateReview::Kind::Phash)},
                                                           {QStringLiteral("embedding"), countsOf(DuplicateReview::Kind::Embedding)}}},
                      {QStringLiteral("groups"), groups}};
        if (keep || automatic)
            o.insert(keep ? QStringLiteral("keep") : QStringLiteral("auto"), id);
        printJson(o);
        return 0;
    }
    if (keep)
        print(QStringLiteral("image %1 is the curator's keeper of its group\n").arg(id));
    else if (automatic)
        print(QStringLiteral("the group of image %1 keeps its largest image again\n").arg(id));
    else
        print(QStringLiteral("phash groups: %1 (%2 duplicates) at %3 = %4\nembedding groups: %5 (%6 duplicates) at %7 = %8\n")
                  .arg(out.groupCount[0])
                  .arg(out.duplicateCount[0])
                  .arg(phashKey, recipe.text(phashKey))
                  .arg(out.groupCount[1])
                  .arg(out.duplicateCount[1])
                  .arg(embedKey, recipe.text(embedKey)));
    for (const DuplicateReview::Group &g : out.groups)
        if (kind.isEmpty() || DuplicateReview::kindName(g.kind) == kind)
            print(groupLine(g));
    return 0;
}

} // namespace

const Command &dupesCommand()
{
    static const Command command{
        QStringLiteral("dupes"),
        QStringLiteral("DIR [--kind phash|embedding] [--json] | DIR --keep ID | DIR --auto ID"),
        QStringLiteral("near-duplicate groups with distances; choose a group's keeper (wins on re-runs)"),
        {{QStringLiteral("DIR"), QStringLiteral("project folder")}},
        {{QStringLiteral("kind"), QStringLiteral("list only phash or embedding groups"), QStringLiteral("KIND")},
         {QStringLiteral("keep"), QStringLiteral("make image ID the keeper of its groups; the others become duplicates"), QStringLiteral("ID")},
         {QStringLiteral("auto"), QStringLiteral("forget the curator's keeper of image ID's groups (the largest keeps)"), QStringLiteral("ID")},
         {QStringLiteral("json"), QStringLiteral("print JSON")}},
        handleDupes,
    };
    return command;
}

} // namespace rs::cli
