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
    """One or two digits in, the number as written without a leading zero out.

    Addresses have one form, the unpadded one (/2026/9/28/…), for stories and archives
    alike: a story's address is what readers share and search engines keep, and stories
    have always had it, so those links stay canonical. A padded archive address (/2026/09/)
    is still understood and answered with a 301 to the unpadded one (``ArchiveMixin``).
    """

    regex = r"[0-9]{1,2}"

    def to_url(self, value):
        return str(int(value))


class DayConverter(MonthConverter):
    pass
