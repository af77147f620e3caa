#pragma once
// Recipe: every setting of the pipeline, with its default, allowed range and
// a one-line meaning. Values are stored in the project (table `recipe`, only
// where they differ from the default) so a project reproduces its results.
//
// Keys are "<stage>.<name>" (plus a few global ones such as `seed`); a
// stage's fingerprint hashes the settings it reads, so changing one marks
// that stage and everything after it stale.

#include "core/util/result.h"

#include <QJsonObject>
#include <QMap>
#include <QString>
#include <QStringList>
#include <QVariant>
#include <QVector>

namespace rs {

class ProjectStore;

struct SettingDef {
    enum class Kind { Int, Double, Bool, String, Choice };
    QString key;
    Kind kind = Kind::String;
    QString defaultValue; // canonical text form
    double min = 0;       // Int/Double bounds (inclusive)
    double max = 0;
    QStringList choices;  // Choice
    QString meaning;      // one line, shown by `realsyn recipe` and as GUI tooltips
    // Presentation (the studio's threshold panel is generated from these):
    QString label = {};   // short name for people; empty = show the key
    QString panel = {};   // threshold-panel section: images | sentences | retrieval | sample; empty = not shown
    double step = 0;      // spin-box step for Int/Double; 0 = 1 (Int) or 0.01 (Double)
};

class Recipe {
public:
    static const QVector<SettingDef> &definitions();
    static const SettingDef *find(const QString &key);

    // Reads the project's stored values (unknown stored keys are ignored).
    static Result<Recipe> load(ProjectStore &store);
    Status save(ProjectStore &store) const;

    // Validates and sets one value given as text ("true", "0.3", "1e6").
    Status set(const QString &key, const QString &value);
    // Parses "key=value" as given to --set.
    Status setAssignment(const QString &assignment);

    QString text(const QString &key) const;
    qint64 intValue(const QString &key) const;
    double doubleValue(const QString &key) const;
    bool boolValue(const QString &key) const;
    bool isDefault(const QString &key) const;

    // Stable hash of the values of every key starting with one of the
    // prefixes (exact keys allowed too), for stage staleness.
    QString fingerprint(const QStringList &prefixes) const;

    // {"key": {"value", "default", "meaning", "kind", ...}} for `recipe --json`.
    QJsonObject toJson() const;

private:
    QMap<QString, QString> m_values; // only non-default values
};

} // namespace rs
