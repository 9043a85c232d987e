"""Pages fans see. Each view fetches with a fixed number of queries and renders."""

from django.contrib.auth import login
from django.db.models import Max, Prefetch
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods, require_safe

from .forms import SignupForm
from .models import Article, Club, Coach, Evidence, Rumour, Source

HOME_COACHES = 24
RECENT_ARTICLES = 10


def _evidence_prefetch():
    return Prefetch(
        "evidence",
        queryset=Evidence.objects.select_related("article__source").order_by(
            "-article__published_at"
        ),
    )


@require_safe
def home(request):
    coaches = (
        Coach.objects.filter(rumours__isnull=False)
        .annotate(latest_news=Max("rumours__last_seen_at"))
        .select_related("current_club")
        .prefetch_related(
            Prefetch(
                "rumours",
                queryset=Rumour.objects.select_related("club").order_by("-last_seen_at"),
            )
        )
        .order_by("-latest_news")[:HOME_COACHES]
    )
    articles = Article.objects.select_related("source").order_by("-published_at")[:RECENT_ARTICLES]
    return render(request, "rumours/home.html", {"coaches": coaches, "articles": articles})


@require_safe
def coach_detail(request, slug):
    coach = get_object_or_404(Coach.objects.select_related("current_club"), slug=slug)
    rumours = (
        Rumour.objects.for_coach(coach)
        .with_tallies()
        .select_related("club")
        .prefetch_related(_evidence_prefetch())
        .order_by("-last_seen_at")
    )
    return render(request, "rumours/coach_detail.html", {"coach": coach, "rumours": rumours})


@require_safe
def club_detail(request, slug):
    club = get_object_or_404(Club, slug=slug)
    rumours = (
        Rumour.objects.filter(club=club)
        .with_tallies()
        .select_related("coach")
        .order_by("-last_seen_at")
    )
    context = {
        "club": club,
        "current_coaches": club.current_coaches.all(),
        "rumours": rumours,
    }
    return render(request, "rumours/club_detail.html", context)


@require_safe
def source_list(request):
    return render(request, "rumours/source_list.html", {"sources": Source.objects.all()})


@require_safe
def source_detail(request, slug):
    source = get_object_or_404(Source, slug=slug)
    articles = source.articles.order_by("-published_at")[: RECENT_ARTICLES * 3]
    return render(request, "rumours/source_detail.html", {"source": source, "articles": articles})


@require_http_methods(["GET", "HEAD", "POST"])
def signup(request):
    if request.user.is_authenticated:
        return redirect("rumours:home")
    form = SignupForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        user = form.save()
        login(request, user, backend="django.contrib.auth.backends.ModelBackend")
        return redirect("rumours:home")
    return render(request, "registration/signup.html", {"form": form})
