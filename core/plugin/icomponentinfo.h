#pragma once
// IComponentInfo: an optional second interface of a plugin's root object,
// naming the third-party libraries it carries and their versions (libtorch
// in encoder_torchscript), so that Help ▸ About can list them without the
// GUI including any of their headers. Found with qobject_cast on the
// objects PluginManager::instances() returns. No exception may escape.

#include <QList>
#include <QObject>
#include <QString>

#include <utility>

namespace rs {

class IComponentInfo {
public:
    virtual ~IComponentInfo() = default;
    // {library name, version}, e.g. {"libtorch", "1.13.0"}.
    virtual QList<std::pair<QString, QString>> componentVersions() const = 0;
};

} // namespace rs

#define RealSyn_IComponentInfo_iid "org.realsyn.IComponentInfo/1"
Q_DECLARE_INTERFACE(rs::IComponentInfo, RealSyn_IComponentInfo_iid)
