#pragma once
// The name a curator reads for a setting: its SettingDef label, or the key
// where it has none (core/store/recipe.cpp holds the labels).

#include "core/store/recipe.h"

namespace rs {

inline QString settingLabel(const QString &key)
{
    const SettingDef *def = Recipe::find(key);
    return def && !def->label.isEmpty() ? def->label : key;
}

} // namespace rs
