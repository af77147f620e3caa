// realsyn search: full-text, semantic and "more like this" search over a
// project's images (core/index/imagesearch, the code the studio's search box
// runs).

#include "app/cli/clisupport.h"
#include "app/cli/commands/commands.h"

#include "core/index/imagesearch.h"
#include "core/store/projectstore.h"
#include "core/store/recipe.h"

#include <QJsonArray>
#include <QJsonDocument>


namespace rs::cli {

namespace {

// A positive integer option value, or 0 with *ok false.
qint64 positiveInt(const QString &text, bool *ok)
{
    const qint64 v = text.toLongLong(ok);
    if (*ok && v <= 0)
        *ok = false;
    return *ok ? v : 0;
}

int handle_search(const QCommandLineParser &p)
{
    const QStringList pos = p.positionalArguments();
    const bool byImage = p.isSet(QStringLiteral("image"));
    if (pos.isEmpty() || pos.size() > 2 || (byImage && pos.size() != 1) || (!byImage && pos.size() != 2)
        || (byImage && p.isSet(QStringLiteral("semantic"))))
        return fail(QStringLiteral("usage: realsyn search DIR QUERY [--semantic] [--limit N] [--json] | realsyn search DIR --image ID [--limit N] [--json]"), 2);
    bool ok = true;
    int limit = 20;
    if (p.isSet(QStringLiteral("limit"))) {
        const qint64 v = positiveInt(p.value(QStringLiteral("limit")), &ok);
        if (!ok || v > 100000)
            return fail(QStringLiteral("--limit expects an integer in [1, 100000]"), 2);
        limit = int(v);
    }
    qint64 imageId = 0;
    if (byImage) {
        imageId = positiveInt(p.value(QStringLiteral("image")), &ok);
        if (!ok)
            return fail(QStringLiteral("--image must be a positive integer, not '%1'").arg(p.value(QStringLiteral("image"))), 2);
    }
    const QString query = byImage ? QString() : pos[1];
    if (!byImage && query.trimmed().isEmpty())
        return fail(QStringLiteral("the query is empty"), 2);

    auto store = ProjectStore::open(pos[0], ProjectStore::Access::ReadOnly);
    if (!store)
        return fail(store.error());
    auto recipe = Recipe::load(**store);
    if (!recipe)
        return fail(recipe.error());
    const SearchMode mode = byImage ? SearchMode::Similar : p.isSet(QStringLiteral("semantic")) ? SearchMode::Semantic : SearchMode::Text;
    JobContext ctx;
    auto search = ImageSearch::load(**store, *recipe, ctx, mode == SearchMode::Text ? ImageSearch::TextPart : ImageSearch::DensePart);
    if (!search)
        return fail(search.error());
    if (mode == SearchMode::Similar) {
        // An id that is no image at all is a different mistake from an image without a vector.
        auto exists = (*store)->scalar(QStringLiteral("SELECT count(*) FROM images WHERE id = ?"), {imageId});
        if (!exists)
            return fail(exists.error());
        if (exists->toLongLong() == 0)
            return fail(QStringLiteral("no image with id %1").arg(imageId));
    }
    auto hits = mode == SearchMode::Text     ? search->text(query, limit)
                : mode == SearchMode::Semantic ? search->semantic(query, limit)
                                               : search->similar(imageId, limit);
    if (!hits)
        return fail(hits.error());
    auto rows = imageHitsJson(**store, *hits);
    if (!rows)
        return fail(rows.error());
    if (p.isSet(QStringLiteral("json"))) {
        QJsonObject o{{QStringLiteral("mode"), searchModeName(mode)}, {QStringLiteral("results"), *rows}};
        if (byImage)
            o.insert(QStringLiteral("image"), imageId);
        else
            o.insert(QStringLiteral("query"), query);
        printJson(o);
        return 0;
    }
    if (rows->isEmpty())
        print(QStringLiteral("no image matches\n"));
    for (const QJsonValue &v : std::as_const(*rows)) {
        const QJsonObject o = v.toObject();
        print(QStringLiteral("%1  %2  %3  %4\n")
                  .arg(o.value(QStringLiteral("id")).toInteger(), 8)
                  .arg(o.value(QStringLiteral("score")).toDouble(), 8, 'f', 4)
                  .arg(o.value(QStringLiteral("selected")).toBool() ? QStringLiteral("selected")
                       : o.value(QStringLiteral("kept")).toBool()   ? QStringLiteral("kept    ")
                                                                    : QStringLiteral("rejected"))
                  .arg(o.value(QStringLiteral("path")).toString()));
    }
    return 0;
}

} // namespace

const Command &searchCommand()
{
    static const Command command{
        QStringLiteral("search"),
        QStringLiteral("DIR QUERY [--semantic] [--limit N] [--json] | DIR --image ID [--limit N] [--json]"),
        QStringLiteral("search images by words, by meaning (--semantic) or like an image (--image)"),
        {{QStringLiteral("DIR"), QStringLiteral("project folder")}, {QStringLiteral("QUERY"), QStringLiteral("words to search for (not with --image)"), QStringLiteral("[QUERY]")}},
        {{QStringLiteral("image"), QStringLiteral("images most like image ID, by embedding"), QStringLiteral("ID")},
         {QStringLiteral("semantic"), QStringLiteral("rank by the encoder's embedding of QUERY instead of its words")},
         {QStringLiteral("limit"), QStringLiteral("results to print (default 20)"), QStringLiteral("N")},
         {QStringLiteral("json"), QStringLiteral("print JSON")}},
        handle_search,
    };
    return command;
}

} // namespace rs::cli
