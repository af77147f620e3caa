#pragma once
// Curator decisions: accept / reject of a sample and edited synthetic text.
// Stored apart from every automatic decision and always winning over them;
// no stage ever writes this table, so they survive re-running any stage and
// re-ingesting a changed source (image ids are keyed by file path).

#include "core/util/result.h"

#include <QHash>
#include <QString>

#include <utility>
#include <vector>

namespace rs {

class ProjectStore;

enum class CuratorDecision { Accept, Reject, Clear };

Status setCuratorDecision(ProjectStore &store, qint64 imageId, CuratorDecision decision);
// Several decisions in one transaction (a batch action, or undoing one):
// all are stored or none is; an unknown image id fails the whole batch.
Status setCuratorDecisions(ProjectStore &store, const std::vector<std::pair<qint64, CuratorDecision>> &decisions);
// The stored decision of each id (Clear where there is none), for undo.
Result<QHash<qint64, CuratorDecision>> curatorDecisions(ProjectStore &store, const std::vector<qint64> &imageIds);
// The curator's stored edit of the synthetic text; empty when there is none.
Result<QString> editedSyntheticText(ProjectStore &store, qint64 imageId);
// "accept" | "reject" | "clear" <-> CuratorDecision (the GUI's and CLI's words).
CuratorDecision curatorDecisionFromText(const QString &text);
QString curatorDecisionText(CuratorDecision decision);
// An empty text clears the edit (the generator's text applies again).
Status setEditedSyntheticText(ProjectStore &store, qint64 imageId, const QString &text);

} // namespace rs
