from django import template
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe

register = template.Library()


@register.filter
def people_links(people):
    """Linked names in English list form: "A", "A and B", "A, B and C"."""
    links = [format_html('<a href="{}">{}</a>', p.get_absolute_url(), p.full_name) for p in people]
    if len(links) <= 2:
        return mark_safe(" and ".join(links))
    return format_html(
        "{} and {}", format_html_join(", ", "{}", ((link,) for link in links[:-1])), links[-1]
    )


@register.simple_tag
def story_body(article):
    """The sanitized body, with the dateline leading the first paragraph."""
    body = article.body  # cleaned by sanitize_html on every save
    dateline = article.dateline_display
    if not dateline:
        return mark_safe(body)
    marker = format_html('<span class="dateline">{}</span> ', dateline)
    if body.startswith("<p>"):
        return mark_safe(f"<p>{marker}{body[3:]}")
    return mark_safe(f"<p>{marker}</p>{body}")


@register.filter
def snippet_html(snippet):
    """A search snippet, escaped, with the matched words in <mark>."""
    from articles.search import snippet_html as render

    return render(snippet)


@register.filter
def isotime(value):
    """A ``<time datetime>`` value in the newsroom's zone, to the second (HTML allows at
    most three digits of fractions; ``date:'c'`` gives six)."""
    if not value:
        return ""
    return timezone.localtime(value).replace(microsecond=0).isoformat()
