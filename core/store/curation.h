#pragma once
// Curator decisions: accept / reject of a sample and edited synthetic text.
// Stored apart from every automatic decision and always winning over them;
// no stage ever writes this table, so they survive re-running any stage and
// re-ingesting a changed source (image ids are keyed by file path).

#include "core/util/result.h"

#include <QString>

namespace rs {

class ProjectStore;

enum class CuratorDecision { Accept, Reject, Clear };

Status setCuratorDecision(ProjectStore &store, qint64 imageId, CuratorDecision decision);
// An empty text clears the edit (the generator's text applies again).
Status setEditedSyntheticText(ProjectStore &store, qint64 imageId, const QString &text);

} // namespace rs
