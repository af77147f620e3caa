#pragma once
// Typed settings: a stage's settings struct names each field's recipe key
// once, in a fields() visitor, and everything else derives from it:
//
//   struct SentenceFilterSettings {
//       qint64 minWords = 0;
//       bool dedup = true;
//       template <class F> void fields(F &&f)
//       {
//           f(minWords, "extract.min_words");
//           f(dedup, "extract.dedup_sentences", SettingUse::NotLive);
//       }
//   };
//
//   readSettings(recipe, s)          fills s from the recipe (typed reads)
//   settingKeysOf<T>()               every key T reads: a stage's fingerprint
//   settingKeysOf<T>(liveOnly=true)  the keys the studio previews live
//   settingFieldErrors<T>()          keys missing from the SettingDef table or
//                                    read as the wrong type (a unit test runs it)
//
// The key, type, range, default and meaning of a setting are declared once,
// in the SettingDef table (core/store/recipe.cpp); a struct only binds a
// field to it. Field types: qint64, int, quint64 (Int settings), double
// (Double), bool (Bool), QString (String or Choice). Structs may nest by
// calling a member's fields(f) from their own.
//
// Plain values: copy them freely across threads.

#include "core/store/recipe.h"

#include <QString>
#include <QStringList>

#include <type_traits>

namespace rs {

// Whether LiveDecisions re-decides the setting from scores in memory when
// it changes (a slider), or only a stage run applies it.
enum class SettingUse { Live, NotLive };

namespace detail {

template <class T>
constexpr SettingDef::Kind settingKindOf()
{
    if constexpr (std::is_same_v<T, bool>)
        return SettingDef::Kind::Bool;
    else if constexpr (std::is_integral_v<T>)
        return SettingDef::Kind::Int;
    else if constexpr (std::is_floating_point_v<T>)
        return SettingDef::Kind::Double;
    else
        return SettingDef::Kind::String; // QString: String or Choice
}

struct SettingReader {
    const Recipe &recipe;
    template <class T>
    void operator()(T &field, const char *key, SettingUse = SettingUse::Live) const
    {
        const QString k = QString::fromLatin1(key);
        if constexpr (std::is_same_v<T, bool>)
            field = recipe.boolValue(k);
        else if constexpr (std::is_integral_v<T>)
            field = T(recipe.intValue(k));
        else if constexpr (std::is_floating_point_v<T>)
            field = T(recipe.doubleValue(k));
        else
            field = recipe.text(k);
    }
};

struct SettingKeyLister {
    QStringList *keys;
    bool liveOnly;
    template <class T>
    void operator()(T &, const char *key, SettingUse use = SettingUse::Live) const
    {
        const QString k = QString::fromLatin1(key);
        if ((!liveOnly || use == SettingUse::Live) && !keys->contains(k))
            keys->append(k);
    }
};

struct SettingChecker {
    QStringList *errors;
    template <class T>
    void operator()(T &, const char *key, SettingUse = SettingUse::Live) const
    {
        const QString k = QString::fromLatin1(key);
        const SettingDef *def = Recipe::find(k);
        if (!def) {
            errors->append(k + QStringLiteral(": not in the SettingDef table"));
            return;
        }
        const SettingDef::Kind want = settingKindOf<T>();
        const bool ok = want == SettingDef::Kind::String ? (def->kind == SettingDef::Kind::String || def->kind == SettingDef::Kind::Choice)
                                                         : def->kind == want;
        if (!ok)
            errors->append(k + QStringLiteral(": read as another type than its SettingDef kind"));
    }
};

} // namespace detail

template <class T>
void readSettings(const Recipe &recipe, T &settings)
{
    settings.fields(detail::SettingReader{recipe});
}

template <class T>
QStringList settingKeysOf(bool liveOnly = false)
{
    T probe{};
    QStringList keys;
    probe.fields(detail::SettingKeyLister{&keys, liveOnly});
    return keys;
}

// The key a field is bound to: settingKeyOf(&ImageFilterSettings::minSide)
// is "extract.min_side" (for explanations that name the setting).
template <class T, class M>
QString settingKeyOf(M T::*field)
{
    T probe{};
    QString key;
    probe.fields([&](auto &f, const char *k, SettingUse = SettingUse::Live) {
        if constexpr (std::is_same_v<std::decay_t<decltype(f)>, M>)
            if (&f == &(probe.*field))
                key = QString::fromLatin1(k);
    });
    return key;
}

template <class T>
QStringList settingFieldErrors()
{
    T probe{};
    QStringList errors;
    probe.fields(detail::SettingChecker{&errors});
    return errors;
}

} // namespace rs
