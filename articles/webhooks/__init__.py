"""Webhooks: telling partners' endpoints when a public story is published, updated,
unpublished or corrected — which changes become deliveries (``outbox``), what is sent
(``payload``, ``signing``), and the worker that sends and retries them (``deliveries``,
``sending``)."""
