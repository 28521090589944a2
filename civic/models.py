"""Imports every part's models, so that metadata (Alembic, tests) knows every table."""

from civic.accounts import models as accounts_models  # noqa: F401
from civic.budget import models as budget_models  # noqa: F401
from civic.core import audit, mail, storage  # noqa: F401
from civic.evaluation import models as evaluation_models  # noqa: F401
from civic.events import models as events_models  # noqa: F401
from civic.ideas import models as ideas_models  # noqa: F401
from civic.map import models as map_models  # noqa: F401
from civic.moderation import models as moderation_models  # noqa: F401
from civic.outreach import models as outreach_models  # noqa: F401
from civic.permanence import models as permanence_models  # noqa: F401
from civic.pilotage import models as pilotage_models  # noqa: F401
from civic.territory import models as territory_models  # noqa: F401
