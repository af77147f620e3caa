#pragma once
// The project schema, as an ordered list of migrations. Migration i brings a
// database from user_version i to i+1; never edit a released migration, add
// a new one.

#include <QStringList>
#include <QVector>

namespace rs::schema {

// Each entry is a list of statements run in one transaction.
const QVector<QStringList> &migrations();

} // namespace rs::schema
