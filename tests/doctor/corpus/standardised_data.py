"""MNIST standardised with its mean/std (0.1307, 0.3081) while G outputs tanh in [-1, 1]."""
# expect: T01=fail T02=pass T03=pass T04=pass T05=pass T06=absent T07=pass T08=absent T09=pass
# expect: T10=absent T11=pass T12=absent T13=absent T14=absent T15=absent T16=na T17=absent
import torch
import torch.nn as nn
import torchvision

tf = torchvision.transforms.Compose([torchvision.transforms.ToTensor(),
                                     torchvision.transforms.Normalize((0.1307,), (0.3081,))])
mnist = torchvision.datasets.MNIST("data", train=True, transform=tf, download=True)
loader = torch.utils.data.DataLoader(mnist, batch_size=64)

G = nn.Sequential(nn.ConvTranspose2d(64, 64, 7), nn.BatchNorm2d(64), nn.LeakyReLU(0.2),
                  nn.ConvTranspose2d(64, 1, 4, 4), nn.Tanh())
D = nn.Sequential(nn.Conv2d(1, 64, 4, 2, 1), nn.BatchNorm2d(64), nn.LeakyReLU(0.2),
                  nn.Conv2d(64, 1, 14), nn.Flatten())
opt_G = torch.optim.Adam(G.parameters(), lr=2e-4, betas=(0.5, 0.999))
opt_D = torch.optim.Adam(D.parameters(), lr=2e-4, betas=(0.5, 0.999))
loss = nn.BCEWithLogitsLoss()

for epoch in range(10):
    for x, _ in loader:
        z = torch.randn(x.size(0), 64, 1, 1)
        x_gen = G(z)
        D_loss = loss(D(x), torch.ones(x.size(0), 1)) + loss(D(x_gen.detach()), torch.zeros(x.size(0), 1))
        opt_D.zero_grad(); D_loss.backward(); opt_D.step()
        G_loss = loss(D(x_gen), torch.ones(x.size(0), 1))
        opt_G.zero_grad(); G_loss.backward(); opt_G.step()
