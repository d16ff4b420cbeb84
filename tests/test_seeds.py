"""Every field of every seed article, written out as read from the seed files by eye."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from newsarc.model import Article, Image, Provider, RelatedItem
from newsarc.parsing import parse_file

UTC = timezone.utc


def parse_seed(seeds_dir: Path, name: str) -> Article:
    result = parse_file(seeds_dir / name, name)
    assert result.problems == []
    assert len(result.articles) == 1
    return result.articles[0]


def cached(url: str, width: int, height: int) -> Image:
    return Image(url=url, width=width, height=height, is_cached=True)


SEED_000 = Article(
    title="Can SenseTime become a Chinese AI champion?",
    excerpt=(
        "Known for its expertise in facial recognition, SenseTime has raised more than $3bn from investors "
        "including SoftBank, Alibaba, Tiger Global and Silver Lake, making it one of the four most hyped AI "
        "companies in China,"
    ),
    published=datetime(2021, 9, 28, 23, 1, tzinfo=UTC),
    original_url="https://www.ft.com/content/c735e0f3-5704-47b5-a76f-7a02d53a1525",
    web_url="https://www.ft.com/content/c735e0f3-5704-47b5-a76f-7a02d53a1525",
    amp_web_url="https://amp.ft.com/content/c735e0f3-5704-47b5-a76f-7a02d53a1525",
    cdn_amp_web_url=(
        "https://amp-ft-com.cdn.ampproject.org/c/s/amp.ft.com/content/c735e0f3-5704-47b5-a76f-7a02d53a1525"
    ),
    type="article",
    category="news",
    quality=57,
    heat=67,
    is_published=False,
    provider=Provider(name="The Financial Times", domain="ft.com"),
    topics=["AI"],
    images=[
        cached(
            "https://www.ft.com/__origami/service/image/v2/images/raw/"
            "https%3A%2F%2Fd6c748xw2pzm8.cloudfront.net"
            "%2Fprod%2Fa78e9530-2073-11ec-803a-576a26cae162-standard.png?source=google-amp&fit=scale-"
            "down&width=500",
            500,
            293,
        )
    ],
    related=[
        RelatedItem(
            title="Continental inks deal with Chinese AI startup",
            excerpt=(
                "German supplier Continental AG signed an agreement Wednesday with Chinese artificial "
                "intelligence startup Horizon Robotics to establish a joint venture in Shanghai to apply "
                "technology to smart vehicles."
            ),
            published=datetime(2021, 9, 30, 16, 21, tzinfo=UTC),
            web_url="https://www.autonews.com/china/continental-inks-deal-chinese-ai-startup",
            type="article",
            provider=Provider(name="Automotive News", domain="autonews.com"),
            quality=39,
            images=[
                cached(
                    "https://s3-prod.autonews.com/s3fs-public/styles/800x600/public/"
                    "preview_20210929-continental_pp_artificial_driver_highway_a820e9681b.jpg",
                    800,
                    600,
                )
            ],
        )
    ],
    secured=(
        "iq4zJWMfOZlVE8Hs+pRTsDC28DJTxavGudp8iTasF+qCkpI0SVeGY537KTuqKUcy07ta0D5aUSObvxuMs1ptnj4qY4oe/vWV9+y"
        "IkelPHtdzJLR6vrV2CXrQExqHkEggrAUpakUcrUcsRK9p7D/QvvP0IhPf2qcqsmaxdiSqtOhK2ZqSf9tnACa/ZRKy4SluEU+E9k"
        "2WTiEybAgHgGlYiWcGbLIaJ73MuBxuG6Il4kMe5FaOQJD5X9M7LqPB2XaiIaAdtkrzDk329nq2YhbktrqEM/hHujFTsWWGdQzsE"
        "cYbq1v4uD8HcvVS7Sn6Ua6BDnrEze28e4Y1Jj+gw2fAmgv3ZTVQZHCH7iGL4WCtzcl3d0ArKox5yjCBzFjxei/wWOTJVLC1juXm"
        "FIIP0WgRhw8/YwbDcj/J0C9ZcKU5ZGCYW4TWcvaFR2AQnY+vNg1eVvkPj6803u2V3C4sMjurTrGGxA3QsuXKNaRnsDHAAr5Kui7"
        "n1gpKotk9qanzyxvKfF+eRsEaQA+1aA+sH6j6ww==;7QSv89diLw1ywQZ2EFWJxA=="
    ),
)

SEED_001 = Article(
    title="China’s SenseTime becomes world’s most valued AI startup",
    excerpt=(
        "The ongoing AI race between the US and China has taken another turn with news that Chinese firm "
        "SenseTime has raised $600 million (£425 million) at a valuation of $3 billion (£2 billion) – making "
        "it the world’s most valued artificial intelligence startup."
    ),
    body=(
        "The ongoing AI race between the US and China has taken another turn with news that Chinese firm "
        "SenseTime has raised $600 million (£425 million) at a valuation of $3 billion (£2 billion) – making "
        "it the world’s most valued artificial intelligence startup.\n"
        "\n"
        "The company, behind the facial-recognition systems used by Chinese authorities, revealed on Monday "
        "it "
        "closed its series-C funding round with a record-breaking amount of capital. SenseTime CEO Li Xu "
        "said "
        "in a statement that the company plans to use the funds to grow its presence overseas and “widen the "
        "scope for more industrial application of AI”.\n"
        "\n"
        "READ NEXT: The UK unicorns and how they made their first billions\n"
        "\n"
        "SenseTime hasn’t given specifics on who invested what, but Bloomberg is reporting that ecommerce "
        "titan Alibaba has sought the biggest stake in the company, with chipmaker Qualcomm, electronic "
        "retailer Co and Singaporean state investment firm Temasek Holdings Pte among the other "
        "contributors.\n"
        "\n"
        "Joe Tsai, Alibaba’s executive vice chairman, said: “SenseTime is doing pioneering work in "
        "artificial "
        "intelligence. We are especially impressed by their R&D capabilities in deep learning and visual "
        "computing. Our business at Alibaba is already seeing tangible benefits from our investments in AI "
        "and "
        "we are committed to further investment.”\n"
        "\n"
        "SenseTime reportedly serves more than 400 customers, including Honda, Huawei and, Nvidia, although "
        "its most notable partner is, inarguably, the Chinese government. The firm’s AI systems are used by "
        "the "
        "state’s surveillance, processing vast amounts of data across the nation’s CCTV cameras, along with "
        "newer systems such as facial-recognition sunglasses. The company eventually aims for its developing "
        "‘Viper’ system to juggle 100,000 live-streams simultaneously from ATMs, traffic cameras and a range "
        "of "
        "other scanners, automatically processing and tagging individuals.\u00a0 \u00a0\u00a0\n"
        "\n"
        "The company’s rapid growth emphasises China’s wider goal to become the world leader in artificial "
        "intelligence by 2030. The competing development of AI technology between China, the US and the rest "
        "of the world, is raising questions about the ethical standpoint of future technologies.\n"
        "\n"
        "“Clearly there is a global competition happening in terms of AI,” Antony Walker, deputy CEO of "
        "techUK, told Alphr at the end of last year. “China in particular is very focused. People are coming "
        "to realise that your fundamental values need to be embedded in your approach to AI, and doing this "
        "with the democratic tradition in Europe and the US is something we need to get right.”\n"
        "\n"
        "Image: SenseTime\n"
        "\n"
        "Disclaimer: Some pages on this site may include an affiliate link. This does not effect our "
        "editorial in any way.\n"
        "\n"
        "Todays Highlights\n"
        "How to See Google Search History\n"
        "how to download photos from google photos"
    ),
)

SEED_002 = Article(
    title="Tip Sheet: Key Facts on China’s AI Behemoth SenseTime",
    excerpt=(
        "This tip sheet was compiled by Caixin Insight from the Post Hearing Information Packs submitted "
        "Nov. "
        "22 to the Hong Kong stock exchange by artificial intelligence (AI) giant SenseTime. 1. Key people "
        "TANG Xiao’ou,"
    ),
    published=datetime(2021, 11, 23, 21, 42, tzinfo=UTC),
    original_url=(
        "https://www.caixinglobal.com/2021-11-24/tip-sheet-key-facts-on-chinas-ai-behemoth-sensetime-"
        "101809128.html"
    ),
    web_url=(
        "https://www.caixinglobal.com/2021-11-24/tip-sheet-key-facts-on-chinas-ai-behemoth-sensetime-"
        "101809128.html"
    ),
    type="article",
    category="news",
    quality=39,
    heat=-1,
    is_published=False,
    provider=Provider(name="Caixin Global", domain="caixinglobal.com"),
    topics=["AI Hardware", "AI"],
    images=[cached("https://img.caixin.com/2020-07-13/1594615757170236_560_373.jpg", 527, 373)],
    related=[
        RelatedItem(
            title="China’s AI giant SenseTime readies Hong Kong IPO",
            excerpt=(
                "One of China’s biggest AI solution providers SenseTime is a step closer to its initial "
                "public "
                "offering. SenseTime has received regulatory approval to list on the Hong Kong Stock "
                "Exchange, "
                "according to media reports."
            ),
            published=datetime(2021, 11, 23, 8, 11, tzinfo=UTC),
            web_url="https://techcrunch.com/2021/11/23/sensetime-ipo/",
            amp_web_url="https://techcrunch.com/2021/11/23/sensetime-ipo/amp/",
            cdn_amp_web_url=(
                "https://techcrunch-com.cdn.ampproject.org/c/s/techcrunch.com/2021/11/23/sensetime-ipo/amp/"
            ),
            type="article",
            provider=Provider(name="TechCrunch", domain="techcrunch.com"),
            quality=87,
            images=[
                cached(
                    "https://techcrunch.com/wp-content/uploads/2019/11/GettyImages-1063617496.jpg?w=1024",
                    1024,
                    683,
                )
            ],
        ),
        RelatedItem(
            title="SenseTime IPO could help HSBC gain recognition",
            excerpt=(
                "Some deals are about more than just the money. A successful market debut by "
                "artificial-intelligence dragon SenseTime could go a long way to uncovering interest in "
                "politically sensitive Chinese technology."
            ),
            published=datetime(2021, 11, 26, 1, 39, tzinfo=UTC),
            web_url=(
                "https://www.reuters.com/markets/asia/sensetime-ipo-could-help-hsbc-gain-recognition-2021-11-26/"
            ),
            type="article",
            provider=Provider(name="Reuters", domain="reuters.com"),
            quality=69,
            images=[
                cached(
                    "https://www.reuters.com/resizer/utbCg0l0DmMO3OUyGVcONl7IFSI=/1200x628/smart/"
                    "filters:quality(80)/cloudfront-us-east-2.images.arcpublishing.com/reuters/"
                    "B32INJZALNOGVNR2IBVU7OQ424.jpg",
                    1200,
                    628,
                )
            ],
        ),
        RelatedItem(
            title="SenseTime Shows China's Prowess in Artificial Intelligence",
            excerpt=(
                "China has a number of pure-play Artificial Intelligence companies that other countries "
                "cannot "
                "replicate. Join\u00a0StockQuest\u00a0for my business and investing content on the future of "
                "companies."
            ),
            published=datetime(2021, 11, 24, 10, 47, tzinfo=UTC),
            web_url=(
                "https://www.linkedin.com/pulse/sensetime-shows-chinas-prowess-artificial-michael-spencer-"
            ),
            type="article",
            provider=Provider(name="LinkedIn", domain="linkedin.com"),
            quality=39,
            images=[
                cached(
                    "https://media-exp1.licdn.com/dms/image/C4E12AQEV5H9ZTEaPbQ/article-cover_image-shrink_"
                    "720_1280"
                    "/0/1637749614702?e=1643241600&v=beta&t=p8kPN155Ff57zWrBbysGHMxJ7sUQ2jn2wIA0u-itkB8",
                    1024,
                    683,
                )
            ],
        ),
        RelatedItem(
            title="SenseTime approved for potential $2B facial recognition IPO in Hong Kong",
            excerpt=(
                "Despite continued momentum including impressive accuracy in NIST’s facial recognition "
                "tests, "
                "the company lost US$579 million in the first half of 2021."
            ),
            published=datetime(2021, 11, 22, 22, 26, tzinfo=UTC),
            web_url=(
                "https://www.biometricupdate.com/202111/"
                "sensetime-approved-for-potential-2b-facial-recognition-ipo-in-hong-kong"
            ),
            type="article",
            provider=Provider(name="Biometric Companies", domain="biometricupdate.com"),
            quality=38,
            images=[
                cached(
                    "https://d1sr9z1pdl3mb7.cloudfront.net/wp-content/uploads/2021/09/29145639/sensetime-"
                    "large.jpeg",
                    1400,
                    788,
                )
            ],
        ),
    ],
    secured=(
        "cB2pHEMXBCmlX4Am+na/"
        "9aBHnzTN73Yav004PhIBMuxXwaqScTYATgIeNGjhctxbPiaYhdVGWtMGc29Q8q0d5WKK0SmQFNyRKFz5+"
        "NVtNs434vM/DsurU5RTO9yX1vDaRIGO8umH0WHXhnkqqC2/KU+UNXEd5rO02XvsuPkkeWTGo0c0kVCvZqvd6gb7LauoE1xlD96nc"
        "+lYDFm5YgM0FKhDG4ytlwwLESzDtkv+hDR5p9hiQCTM5JmlCRxXebsT0Ez8gDbTEmZlRw2U4ogJpXQXahZOLtVAxgg0NAtmhMk9"
        "UoSK6iEsvRSxK7ohJuV4A0Cigs+rH846lrJtOKaXNJ9t5QlRIkamekHhbv2qeA4=;xPlTj9vp7VFZo50ORPfcUQ=="
    ),
)

SCMP_LOGO = Image(
    url="https://everyday-cc.github.io/ai/assets/images/organizations/scmp.com-50x50.jpg", width=50, height=50
)

SEED_003 = Article(
    title=(
        "Investors keep faith in SenseTime as Chinese AI start-up gets about US$500 million in cornerstone "
        "investment, say sources"
    ),
    excerpt=(
        "Nine investors took part in the fundraising, with Mixed-Ownership Reform Fund pledging US$200 "
        "million, sources said."
    ),
    published=datetime(2021, 12, 17, 10, 49, tzinfo=UTC),
    original_url=(
        "https://www.scmp.com/business/banking-finance/article/3160157/"
        "investors-keep-faith-sensetime-chinese-ai-start-gets-about"
    ),
    web_url=(
        "https://www.scmp.com/business/banking-finance/article/3160157/"
        "investors-keep-faith-sensetime-chinese-ai-start-gets-about"
    ),
    amp_web_url=(
        "https://amp.scmp.com/business/banking-finance/article/3160157/"
        "investors-keep-faith-sensetime-chinese-ai-start-gets-about"
    ),
    cdn_amp_web_url=(
        "https://amp-scmp-com.cdn.ampproject.org/c/s/amp.scmp.com/business/banking-finance/article/3160157/"
        "investors-keep-faith-sensetime-chinese-ai-start-gets-about"
    ),
    type="article",
    category="news",
    quality=62,
    heat=-1,
    is_published=False,
    provider=Provider(name="South China Morning Post", domain="scmp.com", images=[SCMP_LOGO]),
    topics=["AI"],
    images=[
        cached(
            "https://cdn.i-scmp.com/sites/default/files/styles/og_image_scmp_generic/public/d8/images/canvas/"
            "2021/12/17/fa83cd71-c727-41c3-aceb-e575a5f9552f_b0e45619.jpg?itok=NKVXvcSK&v=1639738029",
            1200,
            630,
        )
    ],
    related=[
        RelatedItem(
            title="U.S. Set to Ban American Investment in Some Chinese Companies Over Surveillance",
            excerpt=(
                "A draft Treasury Department announcement says the companies, including a major drone maker, "
                "participate in China’s mass surveillance of Muslim ethnic groups."
            ),
            original_text={
                "excerpt": (
                    "A draft Treasury Department announcement says the companies, including a major drone "
                    "maker, "
                    "participate in Chinaâ€™s mass surveillance of Muslim ethnic groups."
                )
            },
            published=datetime(2021, 12, 15, 18, 14, tzinfo=UTC),
            web_url=(
                "https://www.wsj.com/articles/"
                "u-s-set-to-ban-american-investment-in-some-chinese-companies-over-surveillance-11639588940"
            ),
            amp_web_url=(
                "https://www.wsj.com/amp/articles/"
                "u-s-set-to-ban-american-investment-in-some-chinese-companies-over-surveillance-11639588940"
            ),
            cdn_amp_web_url=(
                "https://www-wsj-com.cdn.ampproject.org/c/s/www.wsj.com/amp/articles/"
                "u-s-set-to-ban-american-investment-in-some-chinese-companies-over-surveillance-11639588940"
            ),
            type="article",
            provider=Provider(name="Wall Street Journal", domain="wsj.com"),
            quality=168,
            images=[cached("https://images.wsj.net/im-452768/social", 1280, 640)],
        ),
        RelatedItem(
            title="Chinese automaker GAC invests in self-driving vehicle startup WeRide",
            excerpt=(
                "Chinese self-driving startup WeRide said that it has secured an undisclosed amount of "
                "funding "
                "from state-owned automaker GAC Motor, a manufacturing partner for Toyota, Honda, "
                "Mitsubishi, "
                "and others. WeRide and GAC aim to expand their autonomous ride-hailing pilot project."
            ),
            published=datetime(2021, 12, 16, 5, 41, tzinfo=UTC),
            web_url=(
                "https://technode.com/2021/12/16/"
                "chinese-automaker-gac-invests-in-self-driving-vehicle-startup-weride/"
            ),
            amp_web_url=(
                "https://technode.com/2021/12/16/"
                "chinese-automaker-gac-invests-in-self-driving-vehicle-startup-weride/"
            ),
            cdn_amp_web_url=(
                "https://technode-com.cdn.ampproject.org/c/s/technode.com/2021/12/16/"
                "chinese-automaker-gac-invests-in-self-driving-vehicle-startup-weride/"
            ),
            type="article",
            provider=Provider(name="TechNode", domain="technode.com"),
            quality=44,
            images=[
                cached(
                    "https://i0.wp.com/technode.com/wp-content/uploads/2021/08/technode-news-feed-1-1.png"
                    "?fit=540%2C540&ssl=1",
                    540,
                    540,
                )
            ],
        ),
        RelatedItem(
            title="Chinese AI company SenseTime postpones HK IPO after US ban",
            excerpt=(
                'It added, "Our AI ethics council, comprising both internal and external experts, ensures '
                'that '
                "our business strictly adheres to recognised ethical principles and standards. We have "
                "developed "
                "a code of ethics for AI sustainable development, and we ..."
            ),
            published=datetime(2021, 12, 14, 3, 22, tzinfo=UTC),
            web_url=(
                "https://www.marketing-interactive.com/chinese-ai-company-sensetime-postpones-hk-ipo-after-us-ban"
            ),
            type="article",
            provider=Provider(name="Marketing Interactive", domain="marketing-interactive.com"),
            quality=39,
            images=[cached("https://micdn-13a1c.kxcdn.com/images/hk/content-images/sensetime.jpg", 800, 444)],
        ),
    ],
    secured=(
        "gEum7r6BGvoma76RwJEUIWV3LgmhMMJrihB8uYDGatH+OOBECH1DN9NZfCWFS/46M4k1GhgDCLvPHufSfe0X6UOKxTHC+4Hdu+Ey"
        "ErjM2j6Wtu/c2G0GFVWYKj4700nfrIfgTHR0NYPylCyxI3tslv/OyqTkolcCDFSq/utvQAO4aeOyzTEfiEI48V6tWNrHWa52tk1s"
        "TexRsMN3PqZaVOyuMGQkZFGVdBSEzrql4gnugzkhR8OwmlK4kn9QKGlP6nWQ2b1DygDEMiYXoAp0gMkcdQYFZe+LmuW8YMwWRf4A"
        "XmiW5nQBXMnjXaQv6qH4HJqxm4gsUxIoIz/NDTf8/mkux6ykXUZIjyjg/b/HAv3galg0Vax/KcoaEbsEjnpgRa+27409UJ+x1XiU"
        "V+PaQTJkg5raJrLITrboc7QxIKGyKAWiaarCO1OLyrgDL+vKCcs/YjauUvswRPGL+14kpdZ5Da96GD9Smcn+9fqGhQqofDrpBGoM"
        "LVRsqvRbpbgLPubhrWmgad81R2EmUabO5g==;ppI0NmqbW8NVwpNQ80M+KQ=="
    ),
)

SEED_004 = Article(
    title=(
        "SenseTime parlays academic bona fides into world’s largest platform for artificial intelligence, "
        "facial recognition, image processing"
    ),
    excerpt=(
        "READ FULL ARTICLE China’s AI industry – comprising computer vision, intelligent speech, human-"
        "computer "
        "interactions, machine learning, natural language processing and AI chips – is expected to triple to "
        "453.26 billion yuan (US$69.8 billion ..."
    ),
    published=datetime(2021, 8, 21, 2, 14, tzinfo=UTC),
    original_url=(
        "https://www.scmp.com/business/companies/article/3145739/"
        "sensetime-parlays-academic-bona-fides-worlds-largest-platform?module=lead_hero_story&pgtype=homepage"
    ),
    web_url=(
        "https://www.scmp.com/business/companies/article/3145739/"
        "sensetime-parlays-academic-bona-fides-worlds-largest-platform?module=lead_hero_story&pgtype=homepage"
    ),
    amp_web_url=(
        "https://amp.scmp.com/business/companies/article/3145739/"
        "sensetime-parlays-academic-bona-fides-worlds-largest-platform"
    ),
    cdn_amp_web_url=(
        "https://amp-scmp-com.cdn.ampproject.org/c/s/amp.scmp.com/business/companies/article/3145739/"
        "sensetime-parlays-academic-bona-fides-worlds-largest-platform"
    ),
    type="article",
    category="news",
    quality=77,
    heat=87,
    is_published=True,
    provider=Provider(name="South China Morning Post", domain="scmp.com", images=[SCMP_LOGO]),
    topics=["Natural Language Processing", "AI", "Computer Vision", "AI in Healthcare"],
    images=[
        cached(
            "https://cdn.i-scmp.com/sites/default/files/styles/og_image_scmp_generic/public/d8/images/"
            "methode/"
            "2021/08/21/e986ee0c-0187-11ec-83d9-2f907cc4e7e5_image_hires_"
            "151711.jpg?itok=PxNg6vKn&v=1629530249",
            1200,
            630,
        )
    ],
    related=[
        RelatedItem(
            title="AI process optimization platform receives funding",
            excerpt=(
                "Control Engineering - Imubit, which provides artificial intelligence (AI) process "
                "optimization "
                "for refiners and chemical operators, has raised $50 million to bring its closed"
            ),
            published=datetime(2021, 8, 18, 5, 2, tzinfo=UTC),
            web_url="https://www.controleng.com/articles/ai-process-optimization-platform-receives-funding/",
            type="article",
            provider=Provider(name="Control Engineering", domain="controleng.com"),
            quality=37,
            images=[
                cached(
                    "https://www.controleng.com/wp-content/uploads/sites/2/2021/08/"
                    "CTLx_WEB_IMG_Sayles_Cybersecurity-645x350-1-1.jpg",
                    645,
                    350,
                )
            ],
        )
    ],
    secured=(
        "mV+qcRygLJEHXtBcWXOWcR3K2C8WR5dPweA6GapPaw3ZSiPPhOF7/OTgGlgNdXMxjJCsS7uTDJXJmiwe28JVgBmEzh5siSXmfg60"
        "cz/VYK4/9vnrK9LUmMtkvc7NTxQY5upfx5/QkdCId3f/SxO7YdSsHUeaowrzQsxECoiAshspSakkXQVKQUrLXTVnErXZRtEqQDNt"
        "AlBbJPoeCxR/x2ymmVQax8+JGA4uOIkgBziphenOc7zbVglellzKgoKO1cxge4gzcR4bdwR3wny4RxVkoQieMlFhMtJJBig3apAs"
        "L2QfZ9RmPX4xsM9B5gOwcbVM3zFsV6a4eXPvUTriJG39FjIHQ5TlHIw/p8l+Y0o=;xxhviG1Xwax3LCzg77K/dQ=="
    ),
)

SEEDS = {
    "000_9d4cac1fec7e3850.txt": SEED_000,
    "001_b48525c721f87d7b.txt": SEED_001,
    "002_dae551df292514b4.txt": SEED_002,
    "003_b66d24fd8a82dcf1.txt": SEED_003,
    "004_ebcaaf24fa9088d9.txt": SEED_004,
}


def test_the_seed_folder_holds_exactly_the_pinned_seeds(seeds_dir: Path) -> None:
    assert sorted(path.name for path in seeds_dir.iterdir()) == sorted(SEEDS)


@pytest.mark.parametrize("name", sorted(SEEDS))
def test_every_field_of_the_seed_is_read(seeds_dir: Path, name: str) -> None:
    article = parse_seed(seeds_dir, name)
    assert article == SEEDS[name]
    # Equality above covers content; where the article came from is not part of it.
    assert article.path == name
    assert article.index is None
    assert len(article.id) == 16 and int(article.id, 16) >= 0


@pytest.mark.parametrize("name", sorted(SEEDS))
def test_seed_dates_are_aware_utc(seeds_dir: Path, name: str) -> None:
    article = parse_seed(seeds_dir, name)
    for story in (article, *article.related):
        if story.published is not None:
            assert story.published.tzinfo is not None
            assert story.published.utcoffset() == timedelta(0)


def test_plain_text_seed_title_is_the_first_line_and_its_repeat_leaves_the_body(seeds_dir: Path) -> None:
    article = parse_seed(seeds_dir, "001_b48525c721f87d7b.txt")
    assert article.title == "China’s SenseTime becomes world’s most valued AI startup"
    assert article.title not in article.body
    assert article.body.startswith("The ongoing AI race")
    assert article.excerpt == article.body.split("\n\n")[0]
    assert (article.published, article.provider, article.secured) == (None, None, None)
    assert not article.has_secured
    assert article.url is None


def test_mojibake_in_a_related_excerpt_is_repaired_and_the_original_kept(seeds_dir: Path) -> None:
    related = parse_seed(seeds_dir, "003_b66d24fd8a82dcf1.txt").related[0]
    assert "participate in China\u2019s mass surveillance" in related.excerpt
    assert "â€" not in related.excerpt
    assert "participate in Chinaâ€™s mass surveillance" in related.original_text["excerpt"]
    assert set(related.original_text) == {"excerpt"}


@pytest.mark.parametrize(
    ("name", "start", "end"),
    [
        ("000_9d4cac1fec7e3850.txt", "iq4zJWMfOZlVE8Hs+pRT", "+sH6j6ww==;7QSv89diLw1ywQZ2EFWJxA=="),
        ("002_dae551df292514b4.txt", "cB2pHEMXBCmlX4Am+na/", "hbv2qeA4=;xPlTj9vp7VFZo50ORPfcUQ=="),
        ("003_b66d24fd8a82dcf1.txt", "gEum7r6BGvoma76RwJEU", "abO5g==;ppI0NmqbW8NVwpNQ80M+KQ=="),
        ("004_ebcaaf24fa9088d9.txt", "mV+qcRygLJEHXtBcWXOW", "8l+Y0o=;xxhviG1Xwax3LCzg77K/dQ=="),
    ],
)
def test_secured_blob_is_kept_verbatim(seeds_dir: Path, name: str, start: str, end: str) -> None:
    article = parse_seed(seeds_dir, name)
    assert article.has_secured
    assert article.secured.startswith(start) and article.secured.endswith(end)
    # Verbatim: exactly the quoted text of the file's `secured:` line, nothing decoded.
    rows = (seeds_dir / name).read_text("utf-8").splitlines()
    line = next(row for row in rows if row.startswith("secured: "))
    assert line == f'secured: "{article.secured}"'
