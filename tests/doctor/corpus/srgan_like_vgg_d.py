"""Super-resolution GAN: G upsamples a low-res image with PixelShuffle; VGG-style D with BatchNorm."""
# expect: T01=pass T02=pass T03=na T04=pass T05=pass T06=absent T07=pass T08=absent T09=pass
# expect: T10=absent T11=pass T12=na T13=absent T14=absent T15=absent T16=na T17=absent
# reason: T03=na G maps low-resolution images, there is no latent code
# reason: T02=pass adversarial term bce(D(sr), ones_like) with content loss
# reason: T07=pass PixelShuffle upsampling in G and a conv D
import torch
import torch.nn as nn


class ResidualBlock(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.body = nn.Sequential(nn.Conv2d(c, c, 3, 1, 1), nn.BatchNorm2d(c), nn.PReLU(), nn.Conv2d(c, c, 3, 1, 1), nn.BatchNorm2d(c))

    def forward(self, x):
        return x + self.body(x)


class SRGenerator(nn.Module):
    def __init__(self, blocks=4):
        super().__init__()
        self.head = nn.Sequential(nn.Conv2d(3, 64, 9, 1, 4), nn.PReLU())
        self.res = nn.Sequential(*[ResidualBlock(64) for _ in range(blocks)])
        self.up = nn.Sequential(nn.Conv2d(64, 256, 3, 1, 1), nn.PixelShuffle(2), nn.PReLU(), nn.Conv2d(64, 3, 9, 1, 4))

    def forward(self, lr):
        h = self.head(lr)
        return torch.tanh(self.up(h + self.res(h)))


class SRDiscriminator(nn.Module):
    def __init__(self):
        super().__init__()
        layers, c = [], 3
        for out, stride in [(64, 1), (64, 2), (128, 1), (128, 2)]:
            layers += [nn.Conv2d(c, out, 3, stride, 1), nn.BatchNorm2d(out), nn.LeakyReLU(0.2)]
            c = out
        self.features = nn.Sequential(*layers)
        self.head = nn.Sequential(nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(128, 1))

    def forward(self, x):
        return self.head(self.features(x))


G, D = SRGenerator(), SRDiscriminator()
bce, content = nn.BCEWithLogitsLoss(), nn.MSELoss()
opt_G = torch.optim.Adam(G.parameters(), lr=1e-4)
opt_D = torch.optim.Adam(D.parameters(), lr=1e-4)
pairs = torch.load("div2k_pairs.pt")  # (low, high) in [-1, 1]

for epoch in range(100):
    for low, high in pairs:
        sr = G(low)
        d_real, d_fake = D(high), D(sr.detach())
        loss_D = bce(d_real, torch.ones_like(d_real)) + bce(d_fake, torch.zeros_like(d_fake))
        opt_D.zero_grad()
        loss_D.backward()
        opt_D.step()
        d_sr = D(sr)
        loss_G = content(sr, high) + 1e-3 * bce(d_sr, torch.ones_like(d_sr))
        opt_G.zero_grad()
        loss_G.backward()
        opt_G.step()
