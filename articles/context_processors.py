def publication(request):
    return {"publication": getattr(request, "publication", None)}
