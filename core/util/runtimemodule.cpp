#include "core/util/runtimemodule.h"

#include "core/util/runtimepaths.h"

#include <QFileInfo>
#include <QLibrary>
#include <QStringList>

namespace rs {

namespace {

QString notLoaded(const RuntimeModuleSpec &spec, const QStringList &tried)
{
    return QStringLiteral("%1 module %2 not loaded; tried: %3 (set %4 to its path)")
        .arg(QLatin1String(spec.what), QLatin1String(spec.fileName), tried.join(QStringLiteral("; ")),
             QLatin1String(spec.overrideVariable));
}

QStringList candidates(const RuntimeModuleSpec &spec)
{
    return moduleCandidates(spec.overrideVariable, QLatin1String(spec.fileName));
}

} // namespace

RuntimeModule loadRuntimeModule(const RuntimeModuleSpec &spec)
{
    using AbiFn = int (*)();
    QStringList tried;
    for (const QString &file : candidates(spec)) {
        if (!QFileInfo::exists(file)) {
            tried << file + QStringLiteral(" (missing)");
            continue;
        }
        // Never unloaded: what a module hands out (decoded images, writers)
        // may outlive any one caller.
        auto *lib = new QLibrary(file);
        const auto abi = lib->load() ? reinterpret_cast<AbiFn>(lib->resolve(spec.abiSymbol)) : nullptr;
        if (abi && abi() == spec.abi)
            return {lib, {}};
        tried << file + QStringLiteral(" (")
                + (!lib->isLoaded() ? lib->errorString()
                   : abi            ? QStringLiteral("ABI %1, need %2").arg(abi()).arg(spec.abi)
                                    : QStringLiteral("not a %1 module").arg(QLatin1String(spec.what)))
                + QLatin1Char(')');
        delete lib;
    }
    return {nullptr, notLoaded(spec, tried)};
}

QString runtimeModuleMissing(const RuntimeModuleSpec &spec)
{
    QStringList tried;
    for (const QString &file : candidates(spec)) {
        if (QFileInfo::exists(file))
            return {};
        tried << file + QStringLiteral(" (missing)");
    }
    return notLoaded(spec, tried);
}

} // namespace rs
