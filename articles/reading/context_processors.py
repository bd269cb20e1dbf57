def publication(request):
    return {
        "publication": getattr(request, "publication", None),
        "nav_sections": getattr(request, "sections", ()),
    }
