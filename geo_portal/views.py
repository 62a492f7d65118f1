from django.shortcuts import render


def home(request):
    return render(request, "geo_portal/home.html")
