"""``{% url %}`` as Django's, with the address remembered (``newsroom.addresses``).

A builtin of TEMPLATES (settings.py), so it takes the place of Django's tag in every
template without a ``{% load %}``: same syntax, same answer, same errors; only the walk
through the URL patterns is made once per process for each address.
"""

from django import template
from django.template import defaulttags
from django.urls import NoReverseMatch
from django.utils.html import conditional_escape

from newsroom.addresses import reversed_address

register = template.Library()


class RememberedURLNode(defaulttags.URLNode):
    def render(self, context):
        # Django's URLNode.render, but for the call that reverses.
        args = [arg.resolve(context) for arg in self.args]
        kwargs = {k: v.resolve(context) for k, v in self.kwargs.items()}
        view_name = self.view_name.resolve(context)
        try:
            current_app = context.request.current_app
        except AttributeError:
            try:
                current_app = context.request.resolver_match.namespace
            except AttributeError:
                current_app = None
        url = ""
        try:
            url = reversed_address(view_name, args, kwargs, current_app)
        except NoReverseMatch:
            if self.asvar is None:
                raise
        if self.asvar:
            context[self.asvar] = url
            return ""
        return conditional_escape(url) if context.autoescape else url


@register.tag
def url(parser, token):
    node = defaulttags.url(parser, token)
    return RememberedURLNode(node.view_name, node.args, node.kwargs, node.asvar)
