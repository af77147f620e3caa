#include "core/embed/activeencoder.h"

#include "core/embed/builtinencoder.h"
#include "core/embed/embedstage.h"
#include "core/plugin/pluginmanager.h"
#include "core/store/projectstore.h"
#include "core/store/recipe.h"
#include "core/store/globalsettings.h"

#include <QFileInfo>

namespace rs {

Result<std::shared_ptr<IEncoder>> openEncoderFolder(const QString &folder, const Recipe &recipe)
{
    PluginManager &manager = sharedPlugins();
    const QList<IEncoderPlugin *> plugins = manager.objects<IEncoderPlugin>();
    if (plugins.isEmpty()) {
        QStringList why;
        for (const PluginRecord &r : manager.plugins())
            if (!r.errorString.isEmpty())
                why << QFileInfo(r.fileName).fileName() + QStringLiteral(": ") + r.errorString;
        return makeError(ErrorCode::Unsupported,
                         QStringLiteral("no encoder plugin found (searched %1)%2")
                             .arg(manager.searchPaths().join(QLatin1Char(':')),
                                  why.isEmpty() ? QString() : QStringLiteral("; ") + why.join(QStringLiteral("; "))),
                         folder);
    }
    const QVariantMap options{{QStringLiteral("device"), EmbedSettings::fromRecipe(recipe).device},
                              {QStringLiteral("threads"), GlobalSettings::fromRecipe(recipe).threads}};
    Error last = makeError(ErrorCode::Internal, QStringLiteral("no plugin could open the model"), folder);
    for (IEncoderPlugin *plugin : plugins) {
        auto enc = plugin->open(folder, options);
        if (enc)
            return std::shared_ptr<IEncoder>(enc.value());
        last = enc.error();
    }
    return last;
}

Result<std::shared_ptr<IEncoder>> openActiveEncoder(ProjectStore &store, const Recipe &recipe)
{
    const QString model = EmbedSettings::fromRecipe(recipe).model;
    if (model.startsWith(QLatin1String("imported:")))
        return makeError(ErrorCode::NotFound,
                         QStringLiteral("embeddings were imported (%1): no encoder here can embed new text").arg(model.mid(9)));
    if (model != QLatin1String("builtin"))
        return openEncoderFolder(model, recipe);
    const QString path = BuiltinEncoder::projectModelPath(store);
    if (!QFileInfo::exists(path))
        return makeError(ErrorCode::NotFound, QStringLiteral("the built-in encoder is not fitted yet (run the embed stage)"), path);
    auto enc = BuiltinEncoder::load(path);
    if (!enc)
        return enc.error();
    return std::shared_ptr<IEncoder>(enc.value());
}

} // namespace rs
