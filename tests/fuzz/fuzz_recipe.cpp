// Recipe parsing as `--set` and the GUI feed it: each input line is either a
// "key=value" assignment, or (first byte odd) a value for a setting picked by
// the second byte, so every kind (int, double, bool, choice) is reached.
#include "core/store/recipe.h"
#include "tests/fuzz/fuzzsupport.h"

extern "C" int LLVMFuzzerInitialize(int *, char ***)
{
    rs::fuzz::quietQt();
    return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const QList<QByteArray> lines = rs::fuzz::bytesOf(data, size).split('\n');
    const auto &defs = rs::Recipe::definitions();
    rs::Recipe recipe;
    for (const QByteArray &line : lines) {
        if (line.size() >= 2 && (uchar(line[0]) & 1)) {
            const rs::SettingDef &def = defs[uchar(line[1]) % defs.size()];
            const QString value = QString::fromUtf8(line.mid(2));
            const QString before = recipe.text(def.key);
            if (recipe.set(def.key, value)) {
                // An accepted value is within the documented range.
                if (def.kind == rs::SettingDef::Kind::Int
                    && (recipe.intValue(def.key) < def.min || recipe.intValue(def.key) > def.max))
                    __builtin_trap();
                if (def.kind == rs::SettingDef::Kind::Double) {
                    const double d = recipe.doubleValue(def.key);
                    if (!(d >= def.min && d <= def.max))
                        __builtin_trap();
                }
                if (def.kind == rs::SettingDef::Kind::Choice && !def.choices.contains(recipe.text(def.key)))
                    __builtin_trap();
            } else if (recipe.text(def.key) != before) {
                __builtin_trap(); // a refused value must change nothing
            }
        } else {
            (void)recipe.setAssignment(QString::fromUtf8(line));
        }
    }
    (void)recipe.fingerprint({QStringLiteral("extract"), QStringLiteral("seed")});
    (void)recipe.toJson();
    return 0;
}
