class UnicodeSlugConverter:
    """Like Django's ``slug`` converter, but also matches slugs in non-Latin scripts."""

    regex = r"[-\w]+"

    def to_python(self, value):
        return value

    def to_url(self, value):
        return value


class YearConverter:
    """Four digits, so a year no calendar holds never reaches the date code."""

    regex = r"[0-9]{4}"

    def to_python(self, value):
        return value

    def to_url(self, value):
        return f"{int(value):04d}"


class MonthConverter(YearConverter):
    regex = r"[0-9]{1,2}"

    def to_url(self, value):
        return f"{int(value):02d}"


class DayConverter(MonthConverter):
    pass
