class UnicodeSlugConverter:
    """Like Django's ``slug`` converter, but also matches slugs in non-Latin scripts."""

    regex = r"[-\w]+"

    def to_python(self, value):
        return value

    def to_url(self, value):
        return value
