"""The editors' side, in the Django admin: the ModelAdmins, the workflow panel, revisions,
the wire-copy page, and the forms and widgets they use."""

from . import (
    api_keys,  # noqa: F401  (registers the content API's keys)
    media_library,  # noqa: F401  (registers the picture library)
    model_admins,  # noqa: F401  (registers the ModelAdmins)
    webhooks,  # noqa: F401  (registers the webhook endpoints and their log)
)
